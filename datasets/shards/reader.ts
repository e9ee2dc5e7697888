/**
 * The trainer's view of a token-shard folder.
 *
 *   const data = await openTokenShards("out/mix");          // reads and checks manifest.json
 *   for (const shard of data.select({ split: "train" })) ... // ShardEntry list, in order
 *   const docs = await data.documents(i);                    // shard i in memory: docs.get(j), docs.window(start, n)
 *   for await (const doc of data.stream({ split: "train" })) // one record batch in memory at a time
 *   await data.verify();                                      // sha256 of every shard against the manifest
 *                                                            // (a shard unchanged since the last check is not read)
 *
 * A document is `{ tokens, mask, source, id }`; `tokens` are views into the shard's buffers.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { RecordBatchReader, tableFromIPC } from "apache-arrow";
import { KilnError, errorMessage, writeFileAtomic } from "../../core/index.js";
import { batchDocuments, type TokenDocument } from "./arrow.js";
import { readManifest, type Manifest, type ShardEntry, type Split } from "./manifest.js";

/** Where `verify` remembers which shards it has checked, in the shard folder. */
export const VERIFIED_NAME = ".verified.json";

interface Verified {
  sha256: string;
  bytes: number;
  mtimeMs: number;
}

async function readVerified(file: string): Promise<Record<string, Verified>> {
  try {
    const value = JSON.parse(await readFile(file, "utf8")) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, Verified>) : {};
  } catch {
    return {};
  }
}

export interface ShardSelection {
  split?: Split;
  phase?: string;
}

/** One shard held in memory: random access to documents and to token windows across them. */
export class ShardDocuments {
  /** Token offset where each document starts, plus the total at the end. */
  readonly starts: Float64Array;

  constructor(
    readonly entry: ShardEntry,
    private readonly docs: TokenDocument[],
  ) {
    this.starts = new Float64Array(docs.length + 1);
    docs.forEach((doc, i) => (this.starts[i + 1] = this.starts[i]! + doc.tokens.length));
  }

  get length(): number {
    return this.docs.length;
  }

  get tokenCount(): number {
    return this.starts[this.docs.length]!;
  }

  get(index: number): TokenDocument {
    const doc = this.docs[index];
    if (!doc) throw new KilnError("out_of_range", `${this.entry.path}: no document ${index} (has ${this.docs.length})`);
    return doc;
  }

  /**
   * `length` tokens starting at token `start` of the shard's documents laid end to end (each
   * ends with the tokenizer's end-of-document id), copied into a fresh array.
   */
  window(start: number, length: number): Uint32Array {
    if (start < 0 || length < 0 || start + length > this.tokenCount) {
      throw new KilnError("out_of_range", `${this.entry.path}: window [${start}, ${start + length}) outside 0..${this.tokenCount}`);
    }
    const out = new Uint32Array(length);
    let doc = upperBound(this.starts, start) - 1;
    let written = 0;
    while (written < length) {
      const tokens = this.docs[doc]!.tokens;
      const from = start + written - this.starts[doc]!;
      const take = Math.min(tokens.length - from, length - written);
      out.set(tokens.subarray(from, from + take), written);
      written += take;
      doc++;
    }
    return out;
  }

  [Symbol.iterator](): Iterator<TokenDocument> {
    return this.docs[Symbol.iterator]();
  }
}

/** First index whose value is greater than `value` (values ascending). */
function upperBound(values: Float64Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class TokenShards {
  constructor(
    readonly dir: string,
    readonly manifest: Manifest,
  ) {}

  get shards(): ShardEntry[] {
    return this.manifest.shards;
  }

  /** Shards of one split and/or phase, in manifest order (the order they were written). */
  select(selection: ShardSelection = {}): ShardEntry[] {
    return this.shards.filter((s) => (selection.split === undefined || s.split === selection.split) && (selection.phase === undefined || s.phase === selection.phase));
  }

  pathOf(entry: ShardEntry): string {
    return path.join(this.dir, entry.path);
  }

  /** Reads shard `index` (into the manifest's shard list) whole, checking it against the manifest. */
  async documents(index: number, options: { verify?: boolean } = {}): Promise<ShardDocuments> {
    const entry = this.entryAt(index);
    const file = this.pathOf(entry);
    const bytes = await readFile(file).catch((error: unknown) => {
      throw new KilnError("shard_mismatch", `${file}: listed in the manifest but unreadable: ${errorMessage(error)}`);
    });
    if (bytes.length !== entry.bytes) throw new KilnError("shard_mismatch", `${file}: ${bytes.length} bytes, manifest says ${entry.bytes}`);
    if (options.verify && createHash("sha256").update(bytes).digest("hex") !== entry.sha256) {
      throw new KilnError("checksum_mismatch", `${file}: sha256 differs from the manifest`);
    }
    let docs: TokenDocument[];
    try {
      docs = tableFromIPC(bytes).batches.flatMap(batchDocuments);
    } catch (error) {
      throw new KilnError("shard_mismatch", `${file}: not a readable Arrow file: ${errorMessage(error)}`);
    }
    this.checkCounts(entry, docs.length, docs.reduce((n, d) => n + d.tokens.length, 0));
    return new ShardDocuments(entry, docs);
  }

  /** Every document of the selected shards, in order, holding one record batch at a time. */
  async *stream(selection: ShardSelection = {}): AsyncGenerator<TokenDocument> {
    for (const entry of this.select(selection)) {
      const file = this.pathOf(entry);
      const size = await stat(file).then((s) => s.size, () => -1);
      if (size !== entry.bytes) throw new KilnError("shard_mismatch", `${file}: ${size < 0 ? "missing" : `${size} bytes`}, manifest says ${entry.bytes}`);
      const handle = await open(file, "r");
      try {
        // A FileHandle gives the random-access file reader: it reads the footer, then one batch at a time.
        const reader = await RecordBatchReader.from(handle);
        let documents = 0;
        let tokens = 0;
        for await (const batch of reader) {
          for (const doc of batchDocuments(batch)) {
            documents++;
            tokens += doc.tokens.length;
            yield doc;
          }
        }
        this.checkCounts(entry, documents, tokens);
      } finally {
        await handle.close();
      }
    }
  }

  /**
   * Recomputes the sha256 of `entries` (every shard by default), streamed, and compares it with
   * the manifest. A shard whose size and modification time match an earlier successful check is
   * not read again: the checks are remembered in `.verified.json` in the folder, when it is writable.
   */
  async verify(entries: ShardEntry[] = this.shards): Promise<void> {
    const cachePath = path.join(this.dir, VERIFIED_NAME);
    const cache = await readVerified(cachePath);
    let changed = false;
    for (const entry of entries) {
      const file = this.pathOf(entry);
      const info = await stat(file).catch((error: unknown) => {
        throw new KilnError("shard_mismatch", `${file}: listed in the manifest but unreadable: ${errorMessage(error)}`);
      });
      const known = cache[entry.path];
      if (known && known.sha256 === entry.sha256 && known.bytes === info.size && known.mtimeMs === info.mtimeMs) continue;
      const hash = createHash("sha256");
      try {
        for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
      } catch (error) {
        throw new KilnError("shard_mismatch", `${file}: listed in the manifest but unreadable: ${errorMessage(error)}`);
      }
      if (hash.digest("hex") !== entry.sha256) throw new KilnError("checksum_mismatch", `${file}: sha256 differs from the manifest`);
      cache[entry.path] = { sha256: entry.sha256, bytes: info.size, mtimeMs: info.mtimeMs };
      changed = true;
    }
    // Only a cache: a read-only folder is checked again next time.
    if (changed) await writeFileAtomic(cachePath, `${JSON.stringify(cache)}\n`).catch(() => undefined);
  }

  private entryAt(index: number): ShardEntry {
    const entry = this.shards[index];
    if (!entry) throw new KilnError("out_of_range", `${this.dir}: no shard ${index} (manifest lists ${this.shards.length})`);
    return entry;
  }

  private checkCounts(entry: ShardEntry, documents: number, tokens: number): void {
    if (documents !== entry.documents || tokens !== entry.tokens) {
      throw new KilnError("shard_mismatch", `${this.pathOf(entry)}: ${documents} documents / ${tokens} tokens, manifest says ${entry.documents} / ${entry.tokens}`);
    }
  }
}

/** Opens a token-shard folder by its manifest. */
export async function openTokenShards(dir: string): Promise<TokenShards> {
  return new TokenShards(dir, await readManifest(dir));
}
