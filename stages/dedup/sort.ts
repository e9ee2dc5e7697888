/**
 * External sort of hash records, for bounded memory: records are buffered per section (band) up to
 * a cap, sorted with an LSD radix sort on their 64-bit key, spilled as a sorted run file, and the
 * runs are k-way merged into the final file. Records are 4 words: key hi, key lo, position, extra.
 */
import { rm } from "node:fs/promises";
import { RecordFile, RecordWriter, type HeaderBase, type HeaderFields, type SectionCursor } from "./format.js";

export const HASH_RECORD_WORDS = 4;

/**
 * Indices 0..n-1 ordered by the 64-bit key (hi, lo), ties in index order (the sort is stable, and
 * records are added in document order, so ties end up in position order).
 */
export function radixOrder(hi: Uint32Array, lo: Uint32Array, n: number): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  let next = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (const [keys, shift] of [[lo, 0], [lo, 16], [hi, 0], [hi, 16]] as const) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      next[count[(keys[r]! >>> shift) & 0xffff]!++] = r;
    }
    [order, next] = [next, order];
  }
  return order;
}

/** Growable columns of one section's buffered records. */
class Columns {
  hi = new Uint32Array(1024);
  lo = new Uint32Array(1024);
  pos = new Uint32Array(1024);
  extra = new Uint32Array(1024);
  length = 0;
  add(hi: number, lo: number, pos: number, extra: number) {
    if (this.length === this.hi.length) {
      for (const key of ["hi", "lo", "pos", "extra"] as const) {
        const grown = new Uint32Array(this.length * 2);
        grown.set(this[key]);
        this[key] = grown;
      }
    }
    const i = this.length++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.pos[i] = pos;
    this.extra[i] = extra;
  }
}

/** True when record a (of source sa) sorts before record b (of source sb): by key, source, position. */
export function recordBefore(a: SectionCursor, sa: number, b: SectionCursor, sb: number): boolean {
  const wa = a.words;
  const wb = b.words;
  const ia = a.at;
  const ib = b.at;
  if (wa[ia] !== wb[ib]) return wa[ia]! < wb[ib]!;
  if (wa[ia + 1] !== wb[ib + 1]) return wa[ia + 1]! < wb[ib + 1]!;
  if (sa !== sb) return sa < sb;
  return wa[ia + 2]! < wb[ib + 2]!;
}

/**
 * k-way merge of sorted cursors with a binary heap of cursor indices: calls `emit(cursor, index)`
 * for every record in the order `less(x, y)` (on cursor indices) defines. Memory: one chunk per cursor.
 */
export async function mergeSortedCursors(
  cursors: SectionCursor[],
  less: (x: number, y: number) => boolean,
  emit: (cursor: SectionCursor, index: number) => void | Promise<void>,
): Promise<void> {
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

/** Merges signature cursors in (key, source, position) order. */
export function mergeCursors(cursors: SectionCursor[], emit: (cursor: SectionCursor, source: number) => void | Promise<void>): Promise<void> {
  return mergeSortedCursors(cursors, (x, y) => recordBefore(cursors[x]!, x, cursors[y]!, y), emit);
}

/**
 * Collects records for `sections` sections with at most `maxRecords` in memory; `finish` writes
 * one file sorted within each section by (key, position).
 */
export class ExternalSorter {
  private columns: Columns[];
  private buffered = 0;
  private readonly runs: string[] = [];

  constructor(
    private readonly file: string,
    private readonly sections: number,
    private readonly maxRecords: number,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.columns = Array.from({ length: sections }, () => new Columns());
  }

  /** Buffers a record; returns a promise only when the buffer was full and spilled. */
  add(section: number, hi: number, lo: number, pos: number, extra: number): void | Promise<void> {
    this.columns[section]!.add(hi, lo, pos, extra);
    if (++this.buffered >= this.maxRecords) return this.spill();
  }

  private async writeSorted(file: string, header: HeaderFields): Promise<void> {
    const writer = new RecordWriter(file, header);
    try {
      const record = new Uint32Array(HASH_RECORD_WORDS);
      for (const columns of this.columns) {
        const order = radixOrder(columns.hi, columns.lo, columns.length);
        for (let i = 0; i < columns.length; i++) {
          const r = order[i]!;
          record[0] = columns.hi[r]!;
          record[1] = columns.lo[r]!;
          record[2] = columns.pos[r]!;
          record[3] = columns.extra[r]!;
          const flushed = writer.push(record);
          if (flushed) await flushed;
        }
        writer.endSection();
      }
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    this.columns = Array.from({ length: this.sections }, () => new Columns());
    this.buffered = 0;
  }

  private async spill(): Promise<void> {
    // ".tmp-" in the name: the engine removes a killed attempt's leftovers, the next step ignores them.
    const run = `${this.file}.tmp-run${this.runs.length}`;
    this.log(`spilling ${this.buffered} records to ${run}`);
    await this.writeSorted(run, { kind: "sorted_run", version: 1, params: {}, recordWords: HASH_RECORD_WORDS });
    this.runs.push(run);
  }

  /** Writes the final file: sorted directly when nothing was spilled, else a merge of the runs. */
  async finish(header: HeaderBase): Promise<void> {
    const full = { ...header, recordWords: HASH_RECORD_WORDS };
    if (this.runs.length === 0) return this.writeSorted(this.file, full);
    if (this.buffered > 0) await this.spill();
    const runs = await Promise.all(this.runs.map((r) => RecordFile.open(r, "sorted_run")));
    const writer = new RecordWriter(this.file, full);
    try {
      for (let section = 0; section < this.sections; section++) {
        await mergeCursors(
          runs.map((r) => r.cursor(section)),
          (cursor) => writer.push(cursor.words.subarray(cursor.at, cursor.at + HASH_RECORD_WORDS)),
        );
        writer.endSection();
      }
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    } finally {
      await Promise.all(runs.map((r) => r.close()));
      await Promise.all(this.runs.map((r) => rm(r, { force: true })));
    }
  }
}
