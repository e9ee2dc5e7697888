/**
 * External sort of fixed-width records (n uint32 words, compared word by word, all words being the
 * key), for the clustering steps. Memory is bounded by `maxRecords`: at most that many records are
 * buffered (4 * words + 8 bytes each, with the sort order), then sorted with an LSD radix sort and
 * spilled as a run file; reading merges at most FAN_IN runs at once (one chunk of
 * MERGE_CHUNK_RECORDS per run), merging groups of runs first when there are more.
 */
import { rm } from "node:fs/promises";
import { RecordFile, RecordWriter, type SectionCursor } from "./format.js";
import { mergeSortedCursors } from "./sort.js";

const FAN_IN = 64;
const MERGE_CHUNK_RECORDS = 8192;

/** Record indices 0..n-1 ordered by their words (word 0 most significant); stable. */
export function wideRadixOrder(buffer: Uint32Array, words: number, n: number): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  let next = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let word = words - 1; word >= 0; word--) {
    for (const shift of [0, 16]) {
      count.fill(0);
      for (let i = 0; i < n; i++) count[(buffer[i * words + word]! >>> shift) & 0xffff]!++;
      // A digit that is the same in every record (a constant rank, no quality) needs no pass.
      if (count[(buffer[word]! >>> shift) & 0xffff] === n) continue;
      let sum = 0;
      for (let d = 0; d < 65536; d++) {
        const c = count[d]!;
        count[d] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const r = order[i]!;
        next[count[(buffer[r * words + word]! >>> shift) & 0xffff]!++] = r;
      }
      [order, next] = [next, order];
    }
  }
  return order;
}

/** -1, 0 or 1 as words a[ai..ai+n) sort before, equal to, or after b[bi..bi+n). */
export function compareWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number, n: number): number {
  for (let k = 0; k < n; k++) {
    const x = a[ai + k]!;
    const y = b[bi + k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export type RecordVisitor = (words: Uint32Array, at: number) => void | Promise<void>;

/** k-way merge of sorted cursors over `words`-word records; ties (equal records) in cursor order. */
function mergeWide(cursors: SectionCursor[], words: number, emit: RecordVisitor): Promise<void> {
  const less = (x: number, y: number) => {
    const c = compareWords(cursors[x]!.words, cursors[x]!.at, cursors[y]!.words, cursors[y]!.at, words);
    return c < 0 || (c === 0 && x < y);
  };
  return mergeSortedCursors(cursors, less, (cursor) => emit(cursor.words, cursor.at));
}

export class RecordSorter {
  private buffer: Uint32Array;
  private count = 0;
  private runs: string[] = [];
  private spilled = 0;
  private runSequence = 0;
  /** Records added in total. */
  added = 0;

  /**
   * `scratch` is a path prefix for run files; it must contain ".tmp-" so that the engine removes
   * a killed attempt's runs and the next step never lists them.
   */
  constructor(
    private readonly scratch: string,
    readonly words: number,
    private readonly maxRecords: number,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.buffer = new Uint32Array(Math.min(maxRecords, 4096) * words);
  }

  /** Buffers one record (copied at once); returns a promise only when it had to spill first. */
  add(record: ArrayLike<number>): void | Promise<void> {
    if (this.count === this.maxRecords) return this.spill().then(() => this.put(record));
    this.put(record);
  }

  private put(record: ArrayLike<number>): void {
    const at = this.count * this.words;
    if (at + this.words > this.buffer.length) {
      const grown = new Uint32Array(Math.min(this.maxRecords * this.words, this.buffer.length * 2));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    for (let k = 0; k < this.words; k++) this.buffer[at + k] = record[k]!;
    this.count++;
    this.added++;
  }

  private nextRunName(): string {
    return `${this.scratch}-run${this.runSequence++}`;
  }

  private async spill(): Promise<void> {
    const run = this.nextRunName();
    const writer = new RecordWriter(run, { kind: "sorted_run", version: 1, params: {}, recordWords: this.words });
    try {
      const order = wideRadixOrder(this.buffer, this.words, this.count);
      for (let i = 0; i < this.count; i++) {
        const at = order[i]! * this.words;
        const flushed = writer.push(this.buffer.subarray(at, at + this.words));
        if (flushed) await flushed;
      }
      writer.endSection();
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    this.runs.push(run);
    this.spilled += this.count;
    this.count = 0;
  }

  private async mergeInto(runs: string[], visit: RecordVisitor): Promise<void> {
    const files: RecordFile[] = [];
    try {
      for (const run of runs) files.push(await RecordFile.open(run, "sorted_run"));
      await mergeWide(files.map((f) => f.cursor(0, MERGE_CHUNK_RECORDS)), this.words, visit);
    } finally {
      await Promise.all(files.map((f) => f.close()));
    }
  }

  /** Calls `visit` on every record in sorted order (duplicates included), then frees the sorter's runs. */
  async forEachSorted(visit: RecordVisitor): Promise<void> {
    try {
      if (this.runs.length === 0) {
        const order = wideRadixOrder(this.buffer, this.words, this.count);
        for (let i = 0; i < this.count; i++) {
          const pending = visit(this.buffer, order[i]! * this.words);
          if (pending) await pending;
        }
        return;
      }
      if (this.count > 0) await this.spill();
      this.buffer = new Uint32Array(0);
      if (this.runs.length > FAN_IN) this.log(`merging ${this.runs.length} sorted runs (${this.spilled} records) in groups of ${FAN_IN}`);
      while (this.runs.length > FAN_IN) {
        const merged: string[] = [];
        for (let i = 0; i < this.runs.length; i += FAN_IN) {
          const group = this.runs.slice(i, i + FAN_IN);
          const run = this.nextRunName();
          const writer = new RecordWriter(run, { kind: "sorted_run", version: 1, params: {}, recordWords: this.words });
          try {
            await this.mergeInto(group, (w, at) => writer.push(w.subarray(at, at + this.words)));
            writer.endSection();
            await writer.commit();
          } catch (error) {
            await writer.abort();
            throw error;
          }
          await Promise.all(group.map((r) => rm(r, { force: true })));
          merged.push(run);
        }
        this.runs = merged;
      }
      await this.mergeInto(this.runs, visit);
    } finally {
      await this.dispose();
    }
  }

  /** Removes the run files and the buffer. */
  async dispose(): Promise<void> {
    await Promise.all(this.runs.map((r) => rm(r, { force: true })));
    this.runs = [];
    this.buffer = new Uint32Array(0);
    this.count = 0;
  }
}
