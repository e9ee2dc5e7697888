/**
 * What the trainer needs from token data, as a small interface: documents of token ids with an
 * optional loss mask and source name. The Arrow token shards of `datasets/` (`kiln mix`) plug in
 * through `openShardData`; `readTokenJsonl` reads `{"tokens":[...],"mask":[...],"source":"..."}`
 * lines, and tests also build datasets from arrays.
 *
 * Training windows come from a `WindowSampler` (`openSampler`): a shard folder streams through
 * `ShardSampler` (at most two shards in memory, see shard-sampler.ts); other data (token JSONL,
 * arrays) is packed into one stream in memory (as nanoGPT does) and cut into windows of
 * blockSize+1 tokens that an epoch visits in a seeded permutation (`BatchSampler`). Either way the
 * sampler's position is what a checkpoint stores to resume the data order exactly.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { MANIFEST_NAME, type Split, openTokenShards } from "../datasets/index.js";
import { KilnError, readText, seededPermutation } from "../core/index.js";
import { emptyBatch, isShardPosition, windowsIn, type Batch, type DataPosition, type PackedPosition, type ShardPosition, type WindowSampler } from "./batch.js";
import { ShardSampler } from "./shard-sampler.js";

export type { Batch, DataPosition, PackedPosition, ShardPosition, WindowSampler } from "./batch.js";

export type TokenArray = Uint16Array | Uint32Array | Int32Array | number[];

export interface TokenDocument {
  tokens: TokenArray;
  /** 1 = the model is trained to predict this token; 0 = context only (prompt, user turn). */
  lossMask?: Uint8Array | number[];
  source?: string;
}

export interface TokenDataset {
  /** From the manifest; when absent, max token id + 1. */
  vocabSize?: number;
  tokenizerId?: string;
  /** The id that ends each document (from the manifest). */
  eosId?: number;
  documents(): Iterable<TokenDocument> | AsyncIterable<TokenDocument>;
  /** A streaming window order with bounded memory (shard folders); without one, `openSampler` packs the documents in memory. */
  sampler?(blockSize: number, seed: number, position?: ShardPosition): Promise<WindowSampler>;
}

/** All documents packed into one stream, with a loss mask and a source index per token. */
export interface PackedTokens {
  tokens: Uint32Array;
  mask: Uint8Array;
  source: Uint16Array;
  sourceNames: string[];
  vocabSize: number;
  tokenizerId?: string;
  eosId?: number;
}

export async function packDocuments(dataset: TokenDataset): Promise<PackedTokens> {
  const chunks: TokenDocument[] = [];
  let total = 0;
  let maxId = -1;
  for await (const doc of dataset.documents()) {
    if (doc.lossMask && doc.lossMask.length !== doc.tokens.length) {
      throw new KilnError("bad_data", `a document has ${doc.tokens.length} tokens but a loss mask of ${doc.lossMask.length}`);
    }
    chunks.push(doc);
    total += doc.tokens.length;
    for (const t of doc.tokens) if (t > maxId) maxId = t;
  }
  const tokens = new Uint32Array(total);
  const mask = new Uint8Array(total).fill(1);
  const source = new Uint16Array(total);
  const sourceNames: string[] = [];
  const sourceIndex = new Map<string, number>();
  let offset = 0;
  for (const doc of chunks) {
    const name = doc.source ?? "default";
    let index = sourceIndex.get(name);
    if (index === undefined) {
      index = sourceNames.push(name) - 1;
      sourceIndex.set(name, index);
    }
    tokens.set(doc.tokens, offset);
    if (doc.lossMask) mask.set(doc.lossMask, offset);
    source.fill(index, offset, offset + doc.tokens.length);
    offset += doc.tokens.length;
  }
  const vocabSize = dataset.vocabSize ?? maxId + 1;
  if (maxId >= vocabSize) throw new KilnError("bad_data", `token id ${maxId} is outside the vocabulary of ${vocabSize}`);
  return { tokens, mask, source, sourceNames, vocabSize, tokenizerId: dataset.tokenizerId, eosId: dataset.eosId };
}

/** Number of windows of blockSize+1 tokens (stride blockSize) in the stream. */
export function windowCount(packed: PackedTokens, blockSize: number): number {
  return windowsIn(packed.tokens.length, blockSize);
}

function fillWindow(packed: PackedTokens, window: number, row: number, batch: Batch): void {
  const T = batch.blockSize;
  const start = window * T;
  for (let t = 0; t < T; t++) {
    const at = row * T + t;
    batch.inputs[at] = packed.tokens[start + t]!;
    batch.targets[at] = packed.tokens[start + t + 1]!;
    batch.mask[at] = packed.mask[start + t + 1]!;
    batch.sources[at] = packed.source[start + t + 1]!;
  }
}

/** Seeded, resumable order over the windows of packed tokens: epoch e visits them in permutation(seed + e). */
export class BatchSampler implements WindowSampler {
  readonly windows: number;
  private order: Uint32Array;
  position: PackedPosition;

  constructor(
    readonly packed: PackedTokens,
    readonly blockSize: number,
    readonly seed: number,
    position: PackedPosition = { epoch: 0, cursor: 0 },
  ) {
    this.windows = windowCount(packed, blockSize);
    if (this.windows === 0) {
      throw new KilnError("bad_data", `the data has ${packed.tokens.length} tokens; a block of ${blockSize} needs at least ${blockSize + 1}`);
    }
    this.position = { ...position };
    this.order = seededPermutation(this.windows, seed + this.position.epoch);
  }

  get vocabSize(): number {
    return this.packed.vocabSize;
  }

  get tokenizerId(): string | undefined {
    return this.packed.tokenizerId;
  }

  get eosId(): number | undefined {
    return this.packed.eosId;
  }

  get sourceNames(): string[] {
    return this.packed.sourceNames;
  }

  get summary(): string {
    return `${this.packed.tokens.length} training tokens in ${this.windows} windows, in memory`;
  }

  next(batchSize: number): Batch {
    const batch = emptyBatch(batchSize, this.blockSize);
    for (let row = 0; row < batchSize; row++) {
      if (this.position.cursor >= this.windows) {
        this.position = { epoch: this.position.epoch + 1, cursor: 0 };
        this.order = seededPermutation(this.windows, this.seed + this.position.epoch);
      }
      fillWindow(this.packed, this.order[this.position.cursor]!, row, batch);
      this.position.cursor += 1;
    }
    return batch;
  }
}

/**
 * The window order for training on `dataset`: its own streaming sampler when it has one (shard
 * folders), else its documents packed in memory. `position` (from a checkpoint) resumes the order.
 */
export async function openSampler(dataset: TokenDataset, blockSize: number, seed: number, position?: DataPosition): Promise<WindowSampler> {
  const kindError = (saved: string, data: string) => new KilnError("bad_checkpoint", `the checkpoint's data position is for ${saved}, but the training data is ${data}; use a fresh run folder`);
  if (dataset.sampler) {
    if (position && !isShardPosition(position)) throw kindError("in-memory token data (JSONL)", "a shard folder");
    return dataset.sampler(blockSize, seed, position);
  }
  if (position && isShardPosition(position)) throw kindError("a shard folder", "in-memory token data (JSONL)");
  return new BatchSampler(await packDocuments(dataset), blockSize, seed, position);
}

/** Reads token JSONL: one `{"tokens":[...], "mask"?:[...], "source"?: "..."}` per line. */
export async function readTokenJsonl(path: string, vocabSize?: number): Promise<TokenDataset> {
  const text = await readText(path);
  const docs: TokenDocument[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let row: { tokens?: unknown; mask?: unknown; source?: unknown };
    try {
      row = JSON.parse(line) as typeof row;
    } catch {
      throw new KilnError("bad_data", `${path}:${i + 1}: not JSON`);
    }
    if (!Array.isArray(row.tokens) || !row.tokens.every((t) => Number.isInteger(t) && t >= 0)) {
      throw new KilnError("bad_data", `${path}:${i + 1}: "tokens" must be an array of non-negative integers`);
    }
    docs.push({
      tokens: Uint32Array.from(row.tokens as number[]),
      lossMask: Array.isArray(row.mask) ? Uint8Array.from(row.mask as number[]) : undefined,
      source: typeof row.source === "string" ? row.source : undefined,
    });
  });
  return { vocabSize, documents: () => docs };
}

export interface TokenDataSelection {
  /** Which split of a shard folder: `train` (default) or `val` (the per-source held-out shards). */
  split?: Split;
  /** Only the train shards of this mixture phase. */
  phase?: string;
  /** Only documents of these sources (e.g. the instruction source for fine-tuning). */
  sources?: string[];
  /** Only documents that carry a loss mask (instruction data). */
  maskedOnly?: boolean;
}

/** True for a shard folder or its manifest.json (not token JSONL). */
export function isShardPath(file: string): boolean {
  return !/\.jsonl(\.gz|\.zst)?$/.test(file);
}

/**
 * A token-shard folder (or its manifest.json) as a `TokenDataset`: vocabulary, tokenizer and eos
 * from the manifest, documents streamed from the selected shards with their loss masks.
 */
export async function openShardData(file: string, selection: TokenDataSelection = {}): Promise<TokenDataset> {
  const dir = path.basename(file) === MANIFEST_NAME ? path.dirname(file) : file;
  const shards = await openTokenShards(dir);
  const split = selection.split ?? "train";
  const entries = shards.select({ split, phase: split === "train" ? selection.phase : undefined });
  if (entries.length === 0) {
    const phases = [...new Set(shards.select({ split: "train" }).map((s) => s.phase).filter(Boolean))];
    throw new KilnError("bad_data", `${dir}: no ${split} shards${selection.phase ? ` in phase "${selection.phase}" (phases: ${phases.join(", ")})` : ""}`);
  }
  const wanted = selection.sources ? new Set(selection.sources) : undefined;
  if (wanted) {
    const known = Object.keys(shards.manifest.sources);
    const unknown = [...wanted].filter((s) => !known.includes(s));
    if (unknown.length) throw new KilnError("bad_data", `${dir}: no source ${unknown.join(", ")} (sources: ${known.join(", ")})`);
  }
  // Altered bytes can still be valid token ids: check what will be trained on against the manifest.
  await shards.verify(entries);
  const { tokenizer } = shards.manifest;
  const keeps = (doc: { source: string; mask: Uint8Array | null }) => (!wanted || wanted.has(doc.source)) && (!selection.maskedOnly || doc.mask !== null);
  const filtered = wanted !== undefined || selection.maskedOnly === true;
  return {
    vocabSize: tokenizer.vocabSize,
    tokenizerId: tokenizer.name,
    eosId: tokenizer.eos,
    async *documents() {
      for await (const doc of shards.stream({ split, phase: split === "train" ? selection.phase : undefined })) {
        if (!keeps(doc)) continue;
        yield { tokens: doc.tokens, lossMask: doc.mask ?? undefined, source: doc.source };
      }
    },
    async sampler(blockSize, seed, position) {
      const fingerprint = createHash("sha256")
        .update(JSON.stringify({ shards: entries.map((e) => e.sha256), sources: selection.sources ?? null, maskedOnly: selection.maskedOnly ?? false, blockSize }))
        .digest("hex")
        .slice(0, 16);
      return new ShardSampler({ shards, entries, blockSize, seed, keep: filtered ? keeps : undefined, fingerprint, position });
    },
  };
}

/** Whether a shard folder has held-out validation shards (the default validation data). */
export async function hasValidationShards(file: string): Promise<boolean> {
  if (!isShardPath(file)) return false;
  const dir = path.basename(file) === MANIFEST_NAME ? path.dirname(file) : file;
  return (await openTokenShards(dir)).select({ split: "val" }).length > 0;
}

/**
 * Opens token data by path: token JSONL, or an Arrow token-shard folder / manifest.json of
 * `kiln mix` (train split unless `selection.split` says otherwise).
 */
export async function openTokenData(file: string, vocabSize?: number, selection: TokenDataSelection = {}): Promise<TokenDataset> {
  if (!isShardPath(file)) return readTokenJsonl(file, vocabSize);
  const data = await openShardData(file, selection);
  if (vocabSize !== undefined && data.vocabSize! > vocabSize) {
    throw new KilnError("bad_data", `${file}: the shards' vocabulary is ${data.vocabSize}, the model's ${vocabSize}`);
  }
  return data;
}
