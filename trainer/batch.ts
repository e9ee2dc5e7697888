/**
 * What a training step consumes (a batch of token windows) and the interface both window orders
 * implement: the in-memory one for token JSONL (`BatchSampler`) and the streaming one for shard
 * folders (`ShardSampler`). A sampler's `position` is what a checkpoint stores to resume the
 * order exactly.
 */

export interface Batch {
  batchSize: number;
  blockSize: number;
  inputs: Int32Array; // [B·T] tokens t
  targets: Int32Array; // [B·T] tokens t+1
  mask: Float32Array; // [B·T] loss mask of the target token
  sources: Uint16Array; // [B·T] source index of the target token
  /** encoder: 1 for a real token, 0 for padding [B·T] (all real when absent). */
  attention?: Float32Array;
  /** encoder: segment (token-type) ids [B·T] (all 0 when absent). */
  segments?: Int32Array;
  /** encoder with next-sentence prediction: per sequence, 1 when B follows A, 0 when B is another window's [B]. */
  nextSentence?: Int32Array;
}

export function emptyBatch(batchSize: number, blockSize: number): Batch {
  const n = batchSize * blockSize;
  return { batchSize, blockSize, inputs: new Int32Array(n), targets: new Int32Array(n), mask: new Float32Array(n), sources: new Uint16Array(n) };
}

/** Windows of blockSize+1 tokens at stride blockSize (neighbours share one token) in a stream of `tokens`. */
export function windowsIn(tokens: number, blockSize: number): number {
  return Math.max(0, Math.floor((tokens - 1) / blockSize));
}

/** Position in the in-memory order: the epoch and the windows drawn in it. */
export interface PackedPosition {
  epoch: number;
  cursor: number;
}

/** Position in a shard folder's order. */
export interface ShardPosition {
  epoch: number;
  /** Index into the epoch's shard permutation. */
  shard: number;
  /** Windows already drawn from that shard (index into its window permutation). */
  window: number;
  /** Fingerprint of the shards, the document selection and the block size this position is valid for. */
  data: string;
}

export type DataPosition = PackedPosition | ShardPosition;

export const isShardPosition = (position: DataPosition): position is ShardPosition => "shard" in position;

export interface WindowSampler {
  /** Where the next window comes from; a copy is saved in each checkpoint. */
  readonly position: DataPosition;
  readonly vocabSize: number;
  readonly tokenizerId?: string;
  readonly eosId?: number;
  /** Source names; a batch's `sources` index into them. */
  readonly sourceNames: string[];
  /** One line for the run log: how much data, how many windows, what is held in memory. */
  readonly summary: string;
  next(batchSize: number): Batch | Promise<Batch>;
  /** Lets go of what the sampler holds (a prefetch in flight). */
  close?(): Promise<void>;
}
