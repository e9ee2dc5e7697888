/**
 * Writes documents into Arrow IPC shard files of about `targetTokens` tokens each. Every shard is
 * written to a temporary name and renamed only once complete, with its sha256 computed on the
 * way; a killed run leaves `*.tmp-*` files, never a `shard-*.arrow` that looks whole. The
 * manifest, written last, is what makes a set of shards valid.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { once } from "node:events";
import { RecordBatchFileWriter } from "apache-arrow";
import { KilnError, openWriteAtomic } from "../../core/index.js";
import { documentsToBatch } from "./arrow.js";
import type { ShardEntry, Split, TokenDtype } from "./manifest.js";

export interface ShardWriterOptions {
  /** The dataset folder (where manifest.json goes). */
  root: string;
  /** Folder under root for these shards, e.g. `train/general` or `val`. */
  folder: string;
  split: Split;
  phase?: string;
  source?: string;
  dtype: TokenDtype;
  /** A shard is closed once it holds at least this many tokens. */
  targetTokens: number;
  /** Tokens per Arrow record batch (the unit the streaming reader holds in memory). */
  batchTokens?: number;
  /** File name stem; default `shard`. */
  stem?: string;
}

export interface WritableDocument {
  tokens: ArrayLike<number>;
  mask: ArrayLike<number> | null;
  source: string;
  id: string;
}

interface OpenShard {
  relativePath: string;
  writer: RecordBatchFileWriter;
  done: Promise<void>;
  commit: () => Promise<void>;
  abort: () => Promise<void>;
  hash: ReturnType<typeof createHash>;
  bytes: number;
  documents: number;
  tokens: number;
  aborted: boolean;
}

export class ShardWriter {
  readonly shards: ShardEntry[] = [];
  private current: OpenShard | undefined;
  private pending: WritableDocument[] = [];
  private pendingTokens = 0;
  private readonly maxId: number;

  get split(): Split {
    return this.options.split;
  }

  constructor(private readonly options: ShardWriterOptions) {
    this.maxId = options.dtype === "uint16" ? 0xffff : 0xffffffff;
  }

  async add(doc: WritableDocument): Promise<void> {
    if (doc.mask && doc.mask.length !== doc.tokens.length) {
      throw new KilnError("bad_document", `${doc.source}/${doc.id}: mask has ${doc.mask.length} entries for ${doc.tokens.length} tokens`);
    }
    for (let i = 0; i < doc.tokens.length; i++) {
      const id = doc.tokens[i]!;
      if (!(id >= 0 && id <= this.maxId)) throw new KilnError("bad_document", `${doc.source}/${doc.id}: token ${id} does not fit ${this.options.dtype}`);
    }
    this.current ??= this.open();
    this.pending.push(doc);
    this.pendingTokens += doc.tokens.length;
    this.current.documents++;
    this.current.tokens += doc.tokens.length;
    if (this.pendingTokens >= (this.options.batchTokens ?? 1 << 20)) await this.flushBatch();
    if (this.current.tokens >= this.options.targetTokens) await this.closeShard();
  }

  /** Closes the last shard; returns every shard written. */
  async finish(): Promise<ShardEntry[]> {
    if (this.current) await this.closeShard();
    return this.shards;
  }

  /** Drops the open shard's temporary file (after an error elsewhere). */
  async abort(): Promise<void> {
    const shard = this.current;
    this.current = undefined;
    if (!shard) return;
    shard.aborted = true;
    shard.writer.close();
    await shard.done.catch(() => undefined);
    await shard.abort();
  }

  private open(): OpenShard {
    const stem = this.options.stem ?? "shard";
    const relativePath = path.posix.join(this.options.folder, `${stem}-${String(this.shards.length).padStart(5, "0")}.arrow`);
    const atomic = openWriteAtomic(path.join(this.options.root, relativePath));
    const writer = new RecordBatchFileWriter();
    const shard: OpenShard = {
      relativePath, writer, hash: createHash("sha256"), bytes: 0, documents: 0, tokens: 0, aborted: false,
      commit: () => atomic.commit(), abort: () => atomic.abort(), done: Promise.resolve(),
    };
    // Pull the writer's bytes ourselves (not toNodeStream + pipeline): on abort the Arrow queue is
    // simply closed, with no rejected promise left behind.
    const chunks = writer[Symbol.asyncIterator]();
    shard.done = (async () => {
      for (;;) {
        const next = await chunks.next();
        if (next.done || shard.aborted) return;
        shard.hash.update(next.value);
        shard.bytes += next.value.length;
        if (!atomic.stream.write(next.value)) await once(atomic.stream, "drain");
      }
    })();
    shard.done.catch(() => undefined);
    return shard;
  }

  private async flushBatch(): Promise<void> {
    if (!this.current || this.pending.length === 0) return;
    this.current.writer.write(documentsToBatch(this.pending, this.options.dtype));
    this.pending = [];
    this.pendingTokens = 0;
    // Let the bytes drain to disk before the caller builds the next batch.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private async closeShard(): Promise<void> {
    await this.flushBatch();
    const shard = this.current!;
    this.current = undefined;
    shard.writer.finish();
    await shard.done;
    await shard.commit();
    const entry: ShardEntry = {
      path: shard.relativePath, split: this.options.split, documents: shard.documents, tokens: shard.tokens,
      bytes: shard.bytes, sha256: shard.hash.digest("hex"),
    };
    if (this.options.phase !== undefined) entry.phase = this.options.phase;
    if (this.options.source !== undefined) entry.source = this.options.source;
    this.shards.push(entry);
  }
}
