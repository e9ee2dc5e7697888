/**
 * The binary files of the dedup steps: fixed-size records of uint32 words, grouped in sections
 * (one per MinHash band), between a header and a footer.
 *
 *   "KILNDUP1" | u32 header length | header JSON (kind, version, params, recordWords, ...) padded to
 *   4 bytes | records | per section: u32 record count, u32 checksum | u32 section count | "KILNEND1"
 *
 * Counts live in the footer so a file can be written in one streaming pass.
 *
 * Every reader checks the magic, the version, the kind, the parameters it was told to expect and
 * each section's checksum, and names the file in its error: mismatched or corrupt signature files
 * are the most common MinHash failure, and they must stop a run rather than change its answer.
 */
import { once } from "node:events";
import { open, type FileHandle } from "node:fs/promises";
import os from "node:os";
import { KilnError, openWriteAtomic } from "../../core/index.js";

const MAGIC = "KILNDUP1";
const END_MAGIC = "KILNEND1";
export const FORMAT_VERSION = 1;

if (os.endianness() !== "LE") throw new KilnError("unsupported", "dedup files are written little-endian; this machine is big-endian");

/** What a writer puts in the header: kind, version, the content-deciding params, and any extra fields. */
export interface HeaderBase {
  kind: string;
  version: number;
  /** The parameters that decide the file's content; a reader refuses other values. */
  params: Record<string, unknown>;
  [extra: string]: unknown;
}
export interface HeaderFields extends HeaderBase {
  recordWords: number;
}
export interface FileHeader extends HeaderFields {
  /** Records per section; filled from the footer when a file is read. */
  sections: number[];
}

/** 32-bit checksum over words, chained so that order matters. */
function checksumWords(state: number, words: Uint32Array, from: number, to: number): number {
  let h = state;
  for (let i = from; i < to; i++) h = Math.imul((h << 5) | (h >>> 27), 0x9e3779b1) ^ words[i]!;
  return h >>> 0;
}

/** Writes a record file atomically; sections in order, records as uint32 words. */
export class RecordWriter {
  private readonly out;
  private readonly buffer = new Uint32Array(1 << 15);
  private filled = 0;
  private written = 0;
  private checksum = 0;
  private readonly checksums: number[] = [];

  private readonly counts: number[] = [];

  /** Each ended section's checksum, as the footer holds it (a header elsewhere may cite them). */
  get sectionChecksums(): readonly number[] {
    return this.checksums;
  }

  constructor(readonly file: string, readonly header: HeaderFields) {
    this.out = openWriteAtomic(file);
    const json = Buffer.from(JSON.stringify(header));
    const padded = Buffer.alloc(12 + Math.ceil(json.length / 4) * 4, 0x20);
    padded.write(MAGIC, 0, "latin1");
    padded.writeUInt32LE(padded.length - 12, 8);
    json.copy(padded, 12);
    this.out.stream.write(padded);
  }

  /** Appends one record (its words) to the current section; returns a promise only when it flushed. */
  /** Appends the record at `words[at..at + recordWords)`. */
  push(words: ArrayLike<number>, at = 0): void | Promise<void> {
    if (this.filled + this.header.recordWords > this.buffer.length) return this.flush().then(() => this.put(words, at));
    this.put(words, at);
  }

  private put(words: ArrayLike<number>, at: number): void {
    const n = this.header.recordWords;
    let h = this.checksum;
    for (let i = 0; i < n; i++) {
      const w = words[at + i]! >>> 0;
      this.buffer[this.filled + i] = w;
      h = Math.imul((h << 5) | (h >>> 27), 0x9e3779b1) ^ w;
    }
    this.checksum = h;
    this.filled += n;
    this.written++;
  }

  /** Ends the current section; the next record starts a new one. */
  endSection(): void {
    this.checksums.push(this.checksum >>> 0);
    this.counts.push(this.written);
    this.written = 0;
    this.checksum = 0;
  }

  private async flush(): Promise<void> {
    if (this.filled === 0) return;
    const ok = this.out.stream.write(Buffer.from(this.buffer.buffer.slice(0, this.filled * 4)));
    this.filled = 0;
    if (!ok) await once(this.out.stream, "drain");
  }

  async commit(): Promise<void> {
    if (this.written > 0) {
      await this.out.abort();
      throw new KilnError("dedup_write", `${this.file}: records after the last endSection()`);
    }
    await this.flush();
    const sections = this.counts.length;
    const footer = Buffer.alloc(sections * 8 + 12);
    this.counts.forEach((count, i) => {
      footer.writeUInt32LE(count, i * 8);
      footer.writeUInt32LE(this.checksums[i]!, i * 8 + 4);
    });
    footer.writeUInt32LE(sections, sections * 8);
    footer.write(END_MAGIC, sections * 8 + 4, "latin1");
    this.out.stream.write(footer);
    await this.out.commit();
  }

  abort(): Promise<void> {
    return this.out.abort();
  }
}

/** Reads sections of a record file chunk by chunk; `check` the checksum when a section ends. */
export class SectionCursor {
  /** Words of the loaded chunk; the current record starts at `at`. */
  words = new Uint32Array(0);
  at = -1;
  private end = 0;
  private remaining: number;
  private offset: number;
  private checksum = 0;

  constructor(
    private readonly source: RecordFile,
    private readonly section: number,
    private readonly chunkRecords = 8192,
  ) {
    this.remaining = source.header.sections[section]!;
    this.offset = source.sectionOffset(section);
  }

  /** Moves to the next record of the loaded chunk; false when the chunk is used up. */
  step(): boolean {
    this.at += this.source.header.recordWords;
    return this.at < this.end;
  }

  /** Loads the next chunk and moves to its first record; false at the end of the section. */
  async refill(): Promise<boolean> {
    const n = this.source.header.recordWords;
    if (this.remaining === 0) {
      if (this.checksum !== this.source.checksums[this.section]) {
        throw new KilnError("dedup_corrupt", `${this.source.file}: checksum mismatch in section ${this.section}: the file is corrupt`);
      }
      this.at = this.end = 0;
      return false;
    }
    const records = Math.min(this.remaining, this.chunkRecords);
    const bytes = Buffer.alloc(records * n * 4);
    const { bytesRead } = await this.source.handle.read(bytes, 0, bytes.length, this.offset);
    if (bytesRead !== bytes.length) throw new KilnError("dedup_corrupt", `${this.source.file}: truncated`);
    this.words = new Uint32Array(bytes.buffer, bytes.byteOffset, records * n);
    this.checksum = checksumWords(this.checksum, this.words, 0, this.words.length);
    this.offset += bytes.length;
    this.remaining -= records;
    this.at = 0;
    this.end = this.words.length;
    return true;
  }

  /** Advances by one record, loading the next chunk when needed; false at the end. */
  async next(): Promise<boolean> {
    return this.step() || this.refill();
  }
}

export class RecordFile {
  private constructor(
    readonly file: string,
    readonly handle: FileHandle,
    readonly header: FileHeader,
    private readonly dataStart: number,
    readonly checksums: number[],
  ) {}

  /** Opens `file`, checks its framing, kind and version, and that `expect` params match. */
  static async open(file: string, kind: string | string[], expect: Record<string, unknown> = {}): Promise<RecordFile> {
    const handle = await open(file, "r").catch((error: NodeJS.ErrnoException) => {
      throw new KilnError("dedup_input", `${file}: cannot open: ${error.code ?? error.message}`);
    });
    try {
      const { size } = await handle.stat();
      const head = Buffer.alloc(12);
      await handle.read(head, 0, 12, 0);
      if (size < 24 || head.toString("latin1", 0, 8) !== MAGIC) throw new KilnError("dedup_input", `${file}: not a kiln dedup file (bad magic)`);
      const headerLength = head.readUInt32LE(8);
      const json = Buffer.alloc(headerLength);
      await handle.read(json, 0, headerLength, 12);
      const header = JSON.parse(json.toString("utf8")) as FileHeader;
      const kinds = Array.isArray(kind) ? kind : [kind];
      if (!kinds.includes(header.kind)) throw new KilnError("dedup_input", `${file}: holds ${header.kind}, expected ${kinds.join(" or ")}`);
      if (header.version !== FORMAT_VERSION) throw new KilnError("dedup_version", `${file}: format version ${header.version}, this kiln reads ${FORMAT_VERSION}`);
      const tail = Buffer.alloc(12);
      await handle.read(tail, 0, 12, size - 12);
      if (tail.toString("latin1", 4, 12) !== END_MAGIC) throw new KilnError("dedup_corrupt", `${file}: truncated (no end marker)`);
      const sectionCount = tail.readUInt32LE(0);
      const dataStart = 12 + headerLength;
      if (dataStart + sectionCount * 8 + 12 > size) throw new KilnError("dedup_corrupt", `${file}: truncated or corrupt footer`);
      const footer = Buffer.alloc(sectionCount * 8);
      await handle.read(footer, 0, footer.length, size - 12 - footer.length);
      header.sections = Array.from({ length: sectionCount }, (_, i) => footer.readUInt32LE(i * 8));
      const checksums = Array.from({ length: sectionCount }, (_, i) => footer.readUInt32LE(i * 8 + 4));
      const records = header.sections.reduce((a, b) => a + b, 0);
      if (dataStart + records * header.recordWords * 4 + sectionCount * 8 + 12 !== size) {
        throw new KilnError("dedup_corrupt", `${file}: size does not match its footer: truncated or corrupt`);
      }
      checkParams(file, header.params, expect);
      return new RecordFile(file, handle, header, dataStart, checksums);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  sectionOffset(section: number): number {
    let records = 0;
    for (let i = 0; i < section; i++) records += this.header.sections[i]!;
    return this.dataStart + records * this.header.recordWords * 4;
  }

  /** Byte offset of record `index` of `section`, for random access. */
  recordOffset(section: number, index: number): number {
    return this.sectionOffset(section) + index * this.header.recordWords * 4;
  }

  cursor(section: number, chunkRecords?: number): SectionCursor {
    return new SectionCursor(this, section, chunkRecords);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Refuses a file whose parameters differ from the expected ones, naming the first that differs. */
export function checkParams(file: string, actual: Record<string, unknown>, expect: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(expect)) {
    if (value === undefined) continue;
    if (JSON.stringify(actual[key]) !== JSON.stringify(value)) {
      throw new KilnError(
        "dedup_params",
        `${file}: written with ${key}=${JSON.stringify(actual[key])}, but this step expects ${key}=${JSON.stringify(value)}; ` +
          `recompute the signatures with the same parameters`,
      );
    }
  }
}
