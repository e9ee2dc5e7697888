/**
 * Training windows streamed from a token-shard folder, holding at most two shards in memory
 * whatever the size of the corpus: the shard being drawn from and the next one, prefetched while
 * the model trains (its file read advances one event-loop turn per batch; packing it runs on the
 * main thread, once per shard).
 *
 * The order is a pure function of (seed, epoch, position), so a resumed run draws exactly what
 * the uninterrupted run would have drawn, whatever the batch size or prefetch timing:
 * - epoch e visits the selected shards in `seededPermutation(shards, mixSeed(seed, e))`;
 * - within shard s it draws every window once, in `seededPermutation(windows, mixSeed(seed, e, s))`.
 * A shard's kept documents are laid end to end (each already ends with eos) and cut into windows
 * of blockSize+1 tokens at stride blockSize, as the in-memory path does with the whole stream;
 * windows do not cross shards, so the last < blockSize tokens of each shard are not trained on.
 *
 * The position (epoch, shard index in the permutation, windows drawn from it) is what a
 * checkpoint stores; it carries a fingerprint of the shards, selection and block size so a resume
 * on other data fails with a clear error instead of silently drawing a different order.
 */
import type { TokenDocument as ShardDocument, ShardEntry, TokenShards } from "../datasets/index.js";
import { KilnError, mixSeed, seededPermutation } from "../core/index.js";
import { emptyBatch, windowsIn, type Batch, type ShardPosition, type WindowSampler } from "./batch.js";

/** One shard's kept documents end to end: token ids, loss mask (null: every token counts), source index. */
export interface PackedShard {
  /** Index into the selected shards. */
  index: number;
  tokens: Uint16Array | Uint32Array;
  mask: Uint8Array | null;
  source: Uint16Array;
  windows: number;
}

export interface ShardSamplerOptions {
  shards: TokenShards;
  /** The selected shards (split, phase), in manifest order. */
  entries: ShardEntry[];
  blockSize: number;
  seed: number;
  /** Which documents to train on (a source or loss-mask filter); every one when absent. */
  keep?: (doc: ShardDocument) => boolean;
  /** Fingerprint of shards + selection + block size; positions from other data are refused. */
  fingerprint: string;
  position?: ShardPosition;
}

export class ShardSampler implements WindowSampler {
  readonly vocabSize: number;
  readonly tokenizerId: string;
  readonly eosId: number;
  readonly sourceNames: string[];
  readonly summary: string;
  /** Tokens of the shards held now (current + prefetched); the most ever held. What the memory bound is stated in. */
  residentTokens = 0;
  peakResidentTokens = 0;
  /** Shard reads so far. */
  shardsLoaded = 0;

  private readonly blockSize: number;
  private readonly seed: number;
  private readonly entries: ShardEntry[];
  private readonly manifestIndex: number[];
  private readonly sourceIndex = new Map<string, number>();
  private pos: ShardPosition;
  private current: { shard: PackedShard; order: Uint32Array } | undefined;
  /** The shard just finished, when the next position reads the same shard again (one-shard data). */
  private kept: PackedShard | undefined;
  private prefetch: { index: number; promise: Promise<PackedShard>; done: boolean } | undefined;
  private shardOrder: { epoch: number; order: Uint32Array } | undefined;

  constructor(private readonly options: ShardSamplerOptions) {
    const { shards, entries, blockSize, seed, fingerprint, position } = options;
    if (entries.length === 0) throw new KilnError("bad_data", `${shards.dir}: no shards selected`);
    this.blockSize = blockSize;
    this.seed = seed;
    this.entries = entries;
    this.manifestIndex = entries.map((e) => shards.shards.indexOf(e));
    const { tokenizer } = shards.manifest;
    this.vocabSize = tokenizer.vocabSize;
    this.tokenizerId = tokenizer.name;
    this.eosId = tokenizer.eos;
    this.sourceNames = Object.keys(shards.manifest.sources);
    this.sourceNames.forEach((name, i) => this.sourceIndex.set(name, i));
    const tokens = entries.reduce((n, e) => n + e.tokens, 0);
    const largest = Math.max(...entries.map((e) => e.tokens));
    if (!options.keep && largest < blockSize + 1) {
      throw new KilnError("bad_data", `${shards.dir}: the largest shard has ${largest} tokens; a block of ${blockSize} needs at least ${blockSize + 1}`);
    }
    const windows = options.keep ? "windows counted as each shard is read (source/mask filter)" : `${entries.reduce((n, e) => n + windowsIn(e.tokens, blockSize), 0)} windows per epoch`;
    this.summary = `${tokens} training tokens in ${entries.length} shards, ${windows}; streamed, at most 2 shards in memory (largest ${largest} tokens)`;

    if (position && position.data !== fingerprint) {
      throw new KilnError("bad_checkpoint", `the checkpoint's data position belongs to other data (fingerprint ${position.data}, these shards and selection: ${fingerprint}); use a fresh run folder, or init.from to start a new phase from it`);
    }
    if (position && (position.shard >= entries.length || position.window < 0 || position.epoch < 0)) {
      throw new KilnError("bad_checkpoint", `data position ${JSON.stringify(position)} is outside the ${entries.length} selected shards`);
    }
    this.pos = position ? { ...position } : { epoch: 0, shard: 0, window: 0, data: fingerprint };
  }

  get position(): ShardPosition {
    return { ...this.pos };
  }

  async next(batchSize: number): Promise<Batch> {
    // A training step is synchronous, so a read in flight only advances when the event loop turns:
    // give it one turn per batch (microseconds) so the next shard is ready before it is needed.
    if (this.prefetch && !this.prefetch.done) await new Promise((resolve) => setImmediate(resolve));
    const batch = emptyBatch(batchSize, this.blockSize);
    for (let row = 0; row < batchSize; row++) {
      const current = this.current ?? (await this.enterShard());
      fillRow(current.shard, current.order[this.pos.window]!, row, batch);
      this.pos.window += 1;
      // Move on as soon as a shard is used up, so a saved position never points at a spent shard.
      if (this.pos.window === current.shard.windows) this.leaveShard();
    }
    return batch;
  }

  async close(): Promise<void> {
    const pending = this.prefetch;
    this.prefetch = undefined;
    if (pending) {
      const shard = await pending.promise.catch(() => undefined);
      if (shard) this.release(shard);
    }
    if (this.current) this.release(this.current.shard);
    if (this.kept) this.release(this.kept);
    this.current = undefined;
    this.kept = undefined;
  }

  /** Selected-shard index at a position. */
  private shardAt(position: { epoch: number; shard: number }): number {
    if (this.shardOrder?.epoch !== position.epoch) {
      this.shardOrder = { epoch: position.epoch, order: seededPermutation(this.entries.length, mixSeed(this.seed, position.epoch)) };
    }
    return this.shardOrder.order[position.shard]!;
  }

  private after(position: ShardPosition): ShardPosition {
    return position.shard + 1 < this.entries.length ? { ...position, shard: position.shard + 1, window: 0 } : { ...position, epoch: position.epoch + 1, shard: 0, window: 0 };
  }

  private async enterShard(): Promise<{ shard: PackedShard; order: Uint32Array }> {
    for (let empty = 0; ; empty++) {
      if (empty === this.entries.length) {
        throw new KilnError("bad_data", `${this.options.shards.dir}: no selected shard holds ${this.blockSize + 1} tokens of the selected documents (one window of block ${this.blockSize})`);
      }
      const index = this.shardAt(this.pos);
      const shard = await this.take(index);
      if (this.pos.window > 0 && this.pos.window >= shard.windows) {
        this.release(shard);
        throw new KilnError("bad_checkpoint", `data position ${JSON.stringify(this.pos)}: shard ${this.entries[index]!.path} has only ${shard.windows} windows`);
      }
      if (shard.windows === 0) {
        this.release(shard);
        this.pos = this.after(this.pos);
        continue;
      }
      this.current = { shard, order: seededPermutation(shard.windows, mixSeed(this.seed, this.pos.epoch, index)) };
      this.startPrefetch();
      return this.current;
    }
  }

  private leaveShard(): void {
    const finished = this.current!.shard;
    this.current = undefined;
    this.pos = this.after(this.pos);
    if (this.shardAt(this.pos) === finished.index) this.kept = finished;
    else this.release(finished);
  }

  /** Reads the shard after the current one while the model trains (file I/O runs off the main thread). */
  private startPrefetch(): void {
    const index = this.shardAt(this.after(this.pos));
    if (index === this.current?.shard.index || this.prefetch) return;
    const prefetch = { index, promise: this.load(index), done: false };
    // A failed read is reported when the shard is needed, not as an unhandled rejection.
    prefetch.promise.then(() => (prefetch.done = true), () => (prefetch.done = true));
    this.prefetch = prefetch;
  }

  private async take(index: number): Promise<PackedShard> {
    const kept = this.kept;
    this.kept = undefined;
    if (kept?.index === index) return kept;
    if (kept) this.release(kept);
    const pending = this.prefetch;
    this.prefetch = undefined;
    if (pending) {
      const shard = await pending.promise;
      if (shard.index === index) return shard;
      this.release(shard);
    }
    return this.load(index);
  }

  private async load(index: number): Promise<PackedShard> {
    const documents = await this.options.shards.documents(this.manifestIndex[index]!);
    const shard = this.pack(index, documents);
    this.shardsLoaded += 1;
    this.residentTokens += shard.tokens.length;
    this.peakResidentTokens = Math.max(this.peakResidentTokens, this.residentTokens);
    return shard;
  }

  private release(shard: PackedShard): void {
    this.residentTokens -= shard.tokens.length;
  }

  private pack(index: number, documents: Iterable<ShardDocument>): PackedShard {
    const file = this.entries[index]!.path;
    const kept: ShardDocument[] = [];
    let total = 0;
    let masked = false;
    for (const doc of documents) {
      if (this.options.keep && !this.options.keep(doc)) continue;
      if (doc.mask && doc.mask.length !== doc.tokens.length) {
        throw new KilnError("bad_data", `${file}: document ${doc.id} has ${doc.tokens.length} tokens but a loss mask of ${doc.mask.length}`);
      }
      kept.push(doc);
      total += doc.tokens.length;
      masked ||= doc.mask !== null;
    }
    const tokens = this.options.shards.manifest.dtype === "uint16" ? new Uint16Array(total) : new Uint32Array(total);
    const mask = masked ? new Uint8Array(total).fill(1) : null;
    const source = new Uint16Array(total);
    let offset = 0;
    for (const doc of kept) {
      tokens.set(doc.tokens, offset);
      if (doc.mask) mask!.set(doc.mask, offset);
      source.fill(this.sourceIndexOf(doc.source), offset, offset + doc.tokens.length);
      offset += doc.tokens.length;
    }
    let maxId = -1;
    for (let i = 0; i < tokens.length; i++) if (tokens[i]! > maxId) maxId = tokens[i]!;
    if (maxId >= this.vocabSize) throw new KilnError("bad_data", `${file}: token id ${maxId} is outside the vocabulary of ${this.vocabSize}`);
    return { index, tokens, mask, source, windows: windowsIn(total, this.blockSize) };
  }

  private sourceIndexOf(name: string): number {
    let index = this.sourceIndex.get(name);
    if (index === undefined) {
      index = this.sourceNames.push(name) - 1;
      this.sourceIndex.set(name, index);
    }
    return index;
  }
}

function fillRow(shard: PackedShard, window: number, row: number, batch: Batch): void {
  const T = batch.blockSize;
  const start = window * T;
  const { tokens, mask, source } = shard;
  for (let t = 0; t < T; t++) {
    const at = row * T + t;
    batch.inputs[at] = tokens[start + t]!;
    batch.targets[at] = tokens[start + t + 1]!;
    batch.mask[at] = mask ? mask[start + t + 1]! : 1;
    batch.sources[at] = source[start + t + 1]!;
  }
}
