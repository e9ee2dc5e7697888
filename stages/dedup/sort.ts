/**
 * The one external sort of the dedup steps: fixed-width records of `words` uint32s, ordered by
 * their first `keyWords` words (word 0 most significant), ties kept in the order they were added,
 * optionally in `sections` (one per MinHash band). Memory is bounded by `maxRecords`: at most that
 * many records are buffered, then sorted with an LSD radix sort and spilled as a run file; reading
 * merges at most FAN_IN runs at once (one chunk of MERGE_CHUNK_RECORDS per run), merging groups of
 * runs first when there are more.
 *
 * Record layouts: signatures and exact hashes are HASH_RECORD_WORDS words (key hi, key lo,
 * position, quality) sorted by the 2-word key; the clustering steps' edges sort on all their words.
 */
import { rm } from "node:fs/promises";
import { RecordFile, RecordWriter, type HeaderBase, type SectionCursor } from "./format.js";

export const HASH_RECORD_WORDS = 4;
export const HASH_KEY_WORDS = 2;

const FAN_IN = 64;
const MERGE_CHUNK_RECORDS = 8192;

/** Record indices 0..n-1 ordered by their first `keyWords` words (word 0 most significant); stable. */
export function radixOrder(buffer: Uint32Array, words: number, keyWords: number, n: number): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  let next = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let word = keyWords - 1; word >= 0; word--) {
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

/**
 * k-way merge of cursors each sorted by its records' first `keyWords` words, with a binary heap of
 * cursor indices: calls `emit(cursor, index)` for every record in key order, equal keys in cursor
 * order. Memory: one chunk per cursor.
 */
export async function mergeSorted(cursors: SectionCursor[], keyWords: number, emit: (cursor: SectionCursor, index: number) => void | Promise<void>): Promise<void> {
  const less = (x: number, y: number) => {
    const c = compareWords(cursors[x]!.words, cursors[x]!.at, cursors[y]!.words, cursors[y]!.at, keyWords);
    return c < 0 || (c === 0 && x < y);
  };
  const heap: number[] = [];
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && less(heap[l]!, heap[best]!)) best = l;
      if (r < heap.length && less(heap[r]!, heap[best]!)) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best]!, heap[i]!];
      i = best;
    }
  };
  for (const [i, cursor] of cursors.entries()) if (await cursor.refill()) heap.push(i);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    const cursor = cursors[top]!;
    const pending = emit(cursor, top);
    if (pending) await pending;
    if (!(cursor.step() || (await cursor.refill()))) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    siftDown(0);
  }
}

export type RecordVisitor = (words: Uint32Array, at: number) => void | Promise<void>;

export interface SortOptions {
  /** Words per record. */
  words: number;
  /** How many leading words are the key (default: all). */
  keyWords?: number;
  /** Sections the records are added to and read back from in order (default 1). */
  sections?: number;
  /** Records buffered before a run is spilled. */
  maxRecords: number;
  log?: (message: string) => void;
}

/** One section's buffered records, growable up to the sorter's cap. */
interface SectionBuffer {
  words: Uint32Array;
  count: number;
}

export class RecordSorter {
  readonly words: number;
  private readonly keyWords: number;
  private readonly sections: number;
  private readonly maxRecords: number;
  private readonly log: (message: string) => void;
  private buffers: SectionBuffer[];
  private buffered = 0;
  private runs: string[] = [];
  private spilled = 0;
  private runSequence = 0;
  /** Records added in total. */
  added = 0;

  /**
   * `scratch` is a path prefix for run files; it must be temporary (a task context's `scratchFile`,
   * or a name with pipeline's TEMPORARY_MARKER) so that the engine removes a killed attempt's runs
   * and the next step never lists them.
   */
  constructor(
    private readonly scratch: string,
    options: SortOptions,
  ) {
    this.words = options.words;
    this.keyWords = options.keyWords ?? options.words;
    this.sections = options.sections ?? 1;
    this.maxRecords = options.maxRecords;
    this.log = options.log ?? (() => undefined);
    this.buffers = this.emptyBuffers();
  }

  /** Each section starts small and doubles as it fills, up to the whole cap. */
  private emptyBuffers(): SectionBuffer[] {
    const rows = Math.max(1, Math.min(this.maxRecords, Math.ceil(4096 / this.sections)));
    return Array.from({ length: this.sections }, () => ({ words: new Uint32Array(rows * this.words), count: 0 }));
  }

  /** Buffers one record of `section` (copied at once); returns a promise only when it had to spill first. */
  add(record: ArrayLike<number>, section = 0): void | Promise<void> {
    if (this.buffered === this.maxRecords) return this.spill().then(() => this.put(record, section));
    this.put(record, section);
  }

  private put(record: ArrayLike<number>, section: number): void {
    const buffer = this.buffers[section]!;
    const at = buffer.count * this.words;
    if (at + this.words > buffer.words.length) {
      const grown = new Uint32Array(Math.min(this.maxRecords * this.words, buffer.words.length * 2));
      grown.set(buffer.words);
      buffer.words = grown;
    }
    for (let k = 0; k < this.words; k++) buffer.words[at + k] = record[k]!;
    buffer.count++;
    this.buffered++;
    this.added++;
  }

  private nextRunName(): string {
    return `${this.scratch}-run${this.runSequence++}`;
  }

  /** Writes every section's records, in order, to `file` (`endSection` after each). */
  private async writeRun(file: string, header: HeaderBase, fill: (writer: RecordWriter) => Promise<void>): Promise<void> {
    const writer = new RecordWriter(file, { ...header, recordWords: this.words });
    try {
      await fill(writer);
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /** Visits the buffered records of every section in sorted order. */
  private async visitBuffered(visit: RecordVisitor, endSection: (section: number) => void): Promise<void> {
    for (let section = 0; section < this.sections; section++) {
      const buffer = this.buffers[section]!;
      const order = radixOrder(buffer.words, this.words, this.keyWords, buffer.count);
      for (let i = 0; i < buffer.count; i++) {
        const pending = visit(buffer.words, order[i]! * this.words);
        if (pending) await pending;
      }
      endSection(section);
    }
  }

  private async spill(): Promise<void> {
    const run = this.nextRunName();
    this.log(`spilling ${this.buffered} records to ${run}`);
    await this.writeRun(run, { kind: "sorted_run", version: 1, params: {} }, (writer) =>
      this.visitBuffered(
        (w, at) => writer.push(w, at),
        () => writer.endSection(),
      ),
    );
    this.runs.push(run);
    this.spilled += this.buffered;
    // The buffers keep their grown size for the next run.
    for (const buffer of this.buffers) buffer.count = 0;
    this.buffered = 0;
  }

  private async mergeInto(runs: string[], visit: RecordVisitor, endSection: (section: number) => void): Promise<void> {
    const files: RecordFile[] = [];
    try {
      for (const run of runs) files.push(await RecordFile.open(run, "sorted_run"));
      for (let section = 0; section < this.sections; section++) {
        await mergeSorted(
          files.map((f) => f.cursor(section, MERGE_CHUNK_RECORDS)),
          this.keyWords,
          (cursor) => visit(cursor.words, cursor.at),
        );
        endSection(section);
      }
    } finally {
      await Promise.all(files.map((f) => f.close()));
    }
  }

  /**
   * Calls `visit` on every record in sorted order, section by section (duplicates included), and
   * `endSection` after each section; then frees the sorter's runs.
   */
  async forEachSorted(visit: RecordVisitor, endSection: (section: number) => void = () => undefined): Promise<void> {
    try {
      if (this.runs.length === 0) return await this.visitBuffered(visit, endSection);
      if (this.buffered > 0) await this.spill();
      this.buffers = [];
      if (this.runs.length > FAN_IN) this.log(`merging ${this.runs.length} sorted runs (${this.spilled} records) in groups of ${FAN_IN}`);
      while (this.runs.length > FAN_IN) {
        const merged: string[] = [];
        for (let i = 0; i < this.runs.length; i += FAN_IN) {
          const group = this.runs.slice(i, i + FAN_IN);
          const run = this.nextRunName();
          await this.writeRun(run, { kind: "sorted_run", version: 1, params: {} }, (writer) =>
            this.mergeInto(
              group,
              (w, at) => writer.push(w, at),
              () => writer.endSection(),
            ),
          );
          await Promise.all(group.map((r) => rm(r, { force: true })));
          merged.push(run);
        }
        this.runs = merged;
      }
      await this.mergeInto(this.runs, visit, endSection);
    } finally {
      await this.dispose();
    }
  }

  /** Writes every record, sorted, to `file` with one section per sorter section; then frees the runs. */
  async writeSorted(file: string, header: HeaderBase): Promise<void> {
    await this.writeRun(file, header, (writer) =>
      this.forEachSorted(
        (w, at) => writer.push(w, at),
        () => writer.endSection(),
      ),
    );
  }

  /** Removes the run files and the buffers. */
  async dispose(): Promise<void> {
    await Promise.all(this.runs.map((r) => rm(r, { force: true })));
    this.runs = [];
    this.buffers = [];
    this.buffered = 0;
  }
}
