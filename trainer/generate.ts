/**
 * Sampling from a trained model: temperature, top-k, top-p (nucleus), stop at end-of-sequence.
 * The random draws come from our seeded generator, so a seed fixes the output.
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.js";
import { clearKvCache, decodeStep, emptyKvCache, forward, type Kernels, type LoraAdapter, type Params } from "./model.js";
import { Rng } from "../core/index.js";
import { trimBufferPool } from "./webgpu/dispatch.js";

export interface SamplingOptions {
  /** 0 = greedy (argmax). */
  temperature: number;
  /** Keep only the k most likely tokens (0 = all). */
  topK: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 = all). */
  topP: number;
}

/** Picks the next token from one row of logits. */
export function sampleToken(logits: Float32Array | number[], options: SamplingOptions, rng: Rng): number {
  const n = logits.length;
  if (options.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const keep = options.topK > 0 ? order.slice(0, options.topK) : order;
  const max = logits[keep[0]!]!;
  const weights = keep.map((i) => Math.exp((logits[i]! - max) / options.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let cut = keep.length;
  if (options.topP < 1) {
    let cumulative = 0;
    for (let i = 0; i < keep.length; i++) {
      cumulative += weights[i]! / total;
      if (cumulative >= options.topP) {
        cut = i + 1;
        break;
      }
    }
  }
  const kept = weights.slice(0, cut);
  const keptTotal = kept.reduce((a, b) => a + b, 0);
  let r = rng.next() * keptTotal;
  for (let i = 0; i < cut; i++) {
    r -= kept[i]!;
    if (r < 0) return keep[i]!;
  }
  return keep[cut - 1]!;
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  seed: number;
  eosId?: number;
  /** More ids that end generation (e.g. `<|im_end|>` after a chat answer); emitted, then stop. */
  stopIds?: number[];
  adapters?: Map<string, LoraAdapter>;
  kernels?: Kernels;
  /** Keep each position's keys and values (default): a new token costs one position, not the window. */
  kvCache?: boolean;
  /** Called with the ids generated so far after each token; true ends generation (a stop sequence seen). */
  stopWhen?: (generated: number[]) => boolean;
}

/**
 * Prompt ids in, generated ids out (without the prompt; stops after emitting eos). The model sees
 * the last blockSize tokens. With the KV cache, tokens are decoded incrementally while the context
 * fits the block; once it slides, positions shift and each step re-reads the window.
 */
export async function generate(model: ModelConfig, params: Params, prompt: number[], options: GenerateOptions): Promise<number[]> {
  if (prompt.length === 0) throw new Error("the prompt is empty");
  const rng = new Rng(options.seed);
  const context = [...prompt];
  const out: number[] = [];
  const cache = options.kvCache === false ? undefined : emptyKvCache();
  let fresh = context.slice(-model.blockSize);
  try {
    for (let i = 0; i < options.maxNewTokens; i++) {
      // Each token's KV cache is one longer: buffers of the shapes past are freed, not pooled.
      trimBufferPool();
      const window = context.slice(-model.blockSize);
      if (cache && cache.length + fresh.length > model.blockSize) {
        clearKvCache(cache);
        fresh = window;
      }
      const ids = cache ? fresh : window;
      const input = tf.tensor2d(ids, [1, ids.length], "int32");
      const logits = cache ? decodeStep(model, params, input, cache, options) : tf.tidy(() => forward(model, params, input, options));
      const last = tf.slice(logits, [ids.length - 1, 0], [1, model.vocabSize]);
      const row = (await last.data()) as Float32Array;
      tf.dispose([input, logits, last]);
      const next = sampleToken(row, options, rng);
      out.push(next);
      if (next === options.eosId || options.stopIds?.includes(next) || options.stopWhen?.(out)) break;
      context.push(next);
      fresh = [next];
    }
  } finally {
    if (cache) clearKvCache(cache);
  }
  return out;
}
