/**
 * Documents to fixed-size vectors with a Kiln-trained GPT: the mean, over the document's tokens,
 * of the hidden states after ln_f. The quality classifier can use them as dense features in place
 * of hashed n-grams (classifiers/ never imports this folder: bin/embedders.ts registers it there).
 *
 *   tokens     the checkpoint's own tokenizer (the id in checkpoint.json, found as `kiln generate`
 *              finds it), no end-of-document id appended
 *   blocks     the ids are cut into consecutive, non-overlapping blocks of blockSize tokens, at
 *              most `maxBlocks` of them (default 4: the first 4·blockSize tokens). Each block is a
 *              forward pass of its own with positions from 0, as the model saw windows in training.
 *   pool       the mean over every real token of every block, so each token weighs the same
 *              (a short last block counts for its tokens only). No tokens: the zero vector.
 *   batches    blocks of all documents of one `embed` call, longest first, `batchSize` per
 *              forward pass, padded on the right to the longest of the batch. Attention is causal,
 *              so padding never changes a real token's state, and the pool skips it.
 *   encoder    an encoder checkpoint (`model.kind: encoder`) reads each block of blockSize − 2
 *              tokens as `[CLS] block [SEP]`, its special tokens as its training named them,
 *              padding masked out of attention; the pool is the same mean over the block's tokens.
 *   id         "gpt-sha256:<hex>" over the model config, the tokenizer id and every weight (and
 *              LoRA adapter) tensor: the same weights give the same id wherever the folder lives;
 *              training further or re-saving different weights changes it.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { KilnError } from "../core/index.js";
import { selectBackend } from "./backend.js";
import { loadCheckpoint } from "./checkpoint.js";
import type { ModelConfig } from "./config.js";
import { kernelsFor } from "./kernels.js";
import { adaptersFromTensors, disposeAdapters } from "./lora.js";
import { disposeParams, hiddenStates, type LoraAdapter, type Params } from "./model.js";
import { encoderSpecials, frameEncoderRows } from "./mlm.js";
import { loadTextTokenizer, nearbyDirs, type Tokenizer } from "./tokenizer.js";

export interface CheckpointEmbedder {
  /** Identifies the weights (see the header); a classifier folder records it to refuse other weights. */
  readonly id: string;
  /** Width of the vectors: the model's width. */
  readonly dim: number;
  readonly model: ModelConfig;
  readonly tokenizer: Tokenizer;
  /** One mean-pooled vector per text, in order. */
  embed(texts: string[]): Float32Array[];
  /** Releases the weights (tfjs memory is not garbage-collected). */
  dispose(): void;
}

export interface CheckpointEmbedderOptions {
  /** Blocks of blockSize tokens read per document. */
  maxBlocks?: number;
  /** Blocks per forward pass. */
  batchSize?: number;
  /** A tokenizer.json path or pretrained name, instead of the one the checkpoint names. */
  tokenizer?: string;
  /** A backend to select first; by default the current one, or `auto` when none was chosen in this thread. */
  backend?: string;
  /** Refuse a checkpoint of the other kind: `gpt` (a decoder, gpt2 or llama) or `encoder`. */
  kind?: "gpt" | "encoder";
}

export const DEFAULT_EMBED = { maxBlocks: 4, batchSize: 16 } as const;

/**
 * Characters kept per token still needed before tokenizing, so a megabyte page is not tokenized
 * whole for its first few hundred tokens; BPE tokens average 3–5 characters, far under this.
 */
const CHARS_PER_TOKEN_BOUND = 32;

/** sha256 over the tensors' names, shapes and float32 bytes, in checkpoint order. */
function hashTensors(hash: ReturnType<typeof createHash>, tensors: Map<string, tf.Tensor>): void {
  for (const [name, t] of tensors) {
    const values = t.dataSync() as Float32Array;
    hash.update(`${name}:${t.shape.join("x")};`).update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
}

export async function loadCheckpointEmbedder(dir: string, options: CheckpointEmbedderOptions = {}): Promise<CheckpointEmbedder> {
  if (options.backend) await selectBackend(options.backend);
  else if (!tf.engine().backendName) await selectBackend("auto");
  const maxBlocks = options.maxBlocks ?? DEFAULT_EMBED.maxBlocks;
  const batchSize = options.batchSize ?? DEFAULT_EMBED.batchSize;
  if (!Number.isInteger(maxBlocks) || maxBlocks < 1 || !Number.isInteger(batchSize) || batchSize < 1) throw new KilnError("usage", `maxBlocks ${maxBlocks} and batchSize ${batchSize} must be positive integers`);

  const checkpoint = path.resolve(dir);
  const loaded = await loadCheckpoint(checkpoint);
  tf.dispose([...(loaded.optimizer?.values() ?? [])]);
  const model = loaded.meta.model;
  const encoder = model.kind === "encoder";
  if (options.kind && options.kind !== (encoder ? "encoder" : "gpt")) {
    tf.dispose([...loaded.weights.values(), ...(loaded.adapters?.values() ?? [])]);
    const what = encoder ? "an encoder" : `a ${model.kind ?? "gpt2"} decoder`;
    throw new KilnError("bad_checkpoint", `${checkpoint}: ${what} checkpoint, not ${options.kind === "gpt" ? "a decoder" : "an encoder"} (--features ${encoder ? "encoder" : "gpt"} reads it)`);
  }
  const tokenizerId = options.tokenizer ?? loaded.meta.tokenizerId;
  if (!tokenizerId) throw new KilnError("no_tokenizer", `${checkpoint}: the checkpoint names no tokenizer, so text cannot become its token ids`);
  const tokenizer = await loadTextTokenizer(tokenizerId, nearbyDirs(checkpoint));
  if (tokenizer.vocabSize > model.vocabSize) throw new KilnError("bad_checkpoint", `${checkpoint}: tokenizer ${tokenizer.id} has ${tokenizer.vocabSize} ids, the model ${model.vocabSize}`);

  const hash = createHash("sha256").update(JSON.stringify({ model, tokenizer: tokenizerId, lora: loaded.meta.lora ?? null }));
  hashTensors(hash, loaded.weights);
  if (loaded.adapters) hashTensors(hash, loaded.adapters);
  const id = `${encoder ? "encoder" : "gpt"}-sha256:${hash.digest("hex")}`;
  const specials = encoder ? encoderSpecials(loaded.meta, tokenizer) : undefined;

  const params: Params = new Map([...loaded.weights].map(([name, t]) => [name, tf.variable(t, false)]));
  tf.dispose([...loaded.weights.values()]);
  const adapters: Map<string, LoraAdapter> | undefined = loaded.adapters && loaded.meta.lora ? adaptersFromTensors(loaded.adapters, loaded.meta.lora) : undefined;
  tf.dispose([...(loaded.adapters?.values() ?? [])]);
  const backend = tf.getBackend();
  const kernels = kernelsFor(backend);
  const d = model.width;
  // Tokens per block: an encoder's block has [CLS] and [SEP] around them.
  const T = specials ? model.blockSize - 2 : model.blockSize;
  const offset = specials ? 1 : 0;

  function embed(texts: string[]): Float32Array[] {
    const sums = texts.map(() => new Float64Array(d));
    const counts = new Int32Array(texts.length);
    const blocks: { doc: number; ids: number[] }[] = [];
    texts.forEach((text, doc) => {
      const wanted = maxBlocks * T;
      const ids = tokenizer.encode(text.length > wanted * CHARS_PER_TOKEN_BOUND ? text.slice(0, wanted * CHARS_PER_TOKEN_BOUND) : text);
      for (let start = 0; start < Math.min(ids.length, wanted); start += T) blocks.push({ doc, ids: ids.slice(start, Math.min(start + T, wanted)) });
    });
    // Longest first: each batch is padded only up to blocks of about its own length.
    blocks.sort((a, b) => b.ids.length - a.ids.length);
    for (let at = 0; at < blocks.length; at += batchSize) {
      const batch = blocks.slice(at, at + batchSize);
      let ids: Int32Array;
      let attention: Float32Array | undefined;
      let length = batch[0]!.ids.length;
      if (specials) ({ ids, attention, length } = frameEncoderRows(batch.map((block) => block.ids), specials));
      else {
        ids = new Int32Array(batch.length * length); // padding: id 0, which causal attention never lets a real token see
        batch.forEach((block, b) => ids.set(block.ids, b * length));
      }
      const shape: [number, number] = [batch.length, length];
      const states = tf.tidy(() => hiddenStates(model, params, tf.tensor2d(ids, shape, "int32"), { kernels, adapters, attention: attention && tf.tensor2d(attention, shape) }));
      const values = states.dataSync() as Float32Array;
      states.dispose();
      batch.forEach((block, b) => {
        const sum = sums[block.doc]!;
        for (let t = offset; t < block.ids.length + offset; t++) {
          const row = (b * length + t) * d;
          for (let j = 0; j < d; j++) sum[j]! += values[row + j]!;
        }
        counts[block.doc]! += block.ids.length;
      });
    }
    return sums.map((sum, doc) => {
      const n = counts[doc]!;
      return Float32Array.from(sum, (s) => (n ? s / n : 0));
    });
  }

  return {
    id,
    dim: d,
    model,
    tokenizer,
    embed,
    dispose() {
      disposeParams(params);
      if (adapters) disposeAdapters(adapters);
    },
  };
}
