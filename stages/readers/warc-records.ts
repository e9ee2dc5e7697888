import { errorMessage } from "../../pipeline/errors.js";
import { ByteReader } from "./warc-bytes.js";

/** Named header fields (WARC or HTTP); lookup ignores case. Repeated fields keep every value. */
export class HeaderFields {
  private readonly byName = new Map<string, string[]>();

  constructor(readonly entries: ReadonlyArray<readonly [string, string]>) {
    for (const [name, value] of entries) {
      const key = name.toLowerCase();
      const values = this.byName.get(key);
      if (values) values.push(value);
      else this.byName.set(key, [value]);
    }
  }

  /** The first value of the field, or undefined. */
  get(name: string): string | undefined {
    return this.byName.get(name.toLowerCase())?.[0];
  }

  getAll(name: string): string[] {
    return this.byName.get(name.toLowerCase()) ?? [];
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** Lower-cased names; repeated fields joined with ", ". */
  toObject(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, values] of this.byName) result[name] = values.join(", ");
    return result;
  }
}

export interface WarcRecord {
  /** The version line without its line ending, e.g. `WARC/1.0`. */
  version: string;
  headers: HeaderFields;
  /** The record block: exactly Content-Length bytes. */
  block: Uint8Array;
  /** Offset of the version line in the (decompressed) stream. */
  offset: number;
}

export type WarcProblemKind = "malformed_record" | "block_too_large" | "read_error";

/** Input that did not become a record; parsing goes on after it. */
export interface WarcProblem {
  problem: WarcProblemKind;
  detail: string;
  offset: number;
}

export interface ReadWarcOptions {
  /** Blocks bigger than this are skipped (streamed past, never buffered). Default 64 MiB. */
  maxBlockBytes?: number;
}

export const DEFAULT_MAX_BLOCK_BYTES = 64 * 1024 * 1024;
/** Longest header line kept; longer ones make the record malformed (and bound memory in garbage). */
const MAX_LINE_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 1024 * 1024;
const CR = 0x0d;
const LF = 0x0a;
/**
 * A record starts at a line holding only a version. WARC/1.0 and 1.1 are the standard; 0.17 and
 * 0.18 are the drafts that ClueWeb09 and other early crawls were written in, with the same syntax.
 */
const VERSION_LINE = /^WARC\/(?:1\.\d|0\.1[78])[ \t]*\r?\n?$/;
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isWarcProblem(item: WarcRecord | WarcProblem): item is WarcProblem {
  return "problem" in item;
}

/**
 * Parses WARC records from decompressed bytes, one record in memory at a time. Bad input never
 * throws: each malformed record, each run of bytes between records that is not a record, each
 * oversized block and a failing source yield one problem, and parsing resumes at the next
 * version line (`WARC/1.0`), so a well-formed record after a bad one still comes out.
 */
export async function* readWarcRecords(
  bytes: AsyncIterable<Uint8Array>,
  options: ReadWarcOptions = {},
): AsyncGenerator<WarcRecord | WarcProblem> {
  const maxBlockBytes = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
  const source = bytes[Symbol.asyncIterator]();
  const reader = new ByteReader(source);
  // After a reported problem, the bytes skipped to reach the next record belong to that problem.
  let resyncing = false;
  const malformed = (detail: string, offset: number): WarcProblem => {
    resyncing = true;
    return { problem: "malformed_record", detail, offset };
  };
  try {
    for (;;) {
      const start = await seekRecordStart(reader);
      if (start.skippedBytes > 0 && !resyncing) {
        const where = start.version === null ? "at the end of the data" : `before offset ${start.offset}`;
        yield {
          problem: "malformed_record",
          detail: `${start.skippedBytes} bytes that are not a WARC record ${where}`,
          offset: start.skippedFrom,
        };
      }
      resyncing = false;
      if (start.version === null) break;

      const header = await readHeader(reader);
      if (typeof header === "string") {
        if (!reader.sourceError) yield malformed(header, start.offset);
        continue;
      }
      const lengthField = header.get("Content-Length");
      const length = lengthField !== undefined && /^\s*\d+\s*$/.test(lengthField) ? Number(lengthField) : NaN;
      if (!Number.isSafeInteger(length)) {
        const what = lengthField === undefined ? "missing Content-Length" : `invalid Content-Length "${lengthField}"`;
        yield malformed(what, start.offset);
        continue;
      }

      if (length > maxBlockBytes) {
        const skipped = await reader.skip(length);
        yield {
          problem: "block_too_large",
          detail: `block of ${length} bytes is over the ${maxBlockBytes}-byte limit` +
            (skipped < length ? ` and runs past the end of the data (${skipped} bytes left)` : ""),
          offset: start.offset,
        };
        if (!(await consumeRecordEnd(reader))) resyncing = true;
        continue;
      }

      const block = await reader.read(length);
      if (block.length < length) {
        // Whatever was read may still hold whole records: scan it again.
        reader.unshift(block);
        if (!reader.sourceError) {
          yield malformed(`Content-Length ${length} runs past the end of the data (${block.length} bytes left)`, start.offset);
        }
        resyncing = true;
        continue;
      }
      if (!(await consumeRecordEnd(reader))) {
        const found = await reader.peek(16);
        reader.unshift(block);
        yield malformed(
          `Content-Length ${length} does not end at a record boundary (followed by ${JSON.stringify(found.toString("latin1"))})`,
          start.offset,
        );
        continue;
      }
      yield { version: start.version, headers: header, block, offset: start.offset };
    }
    if (reader.sourceError !== undefined) {
      yield { problem: "read_error", detail: errorMessage(reader.sourceError), offset: reader.offset };
    }
  } finally {
    await source.return?.();
  }
}

interface RecordStart {
  /** The version, or null at the end of the data. */
  version: string | null;
  offset: number;
  /** Non-blank bytes skipped before the record (or before the end). */
  skippedBytes: number;
  skippedFrom: number;
}

/**
 * Reads lines until one that ends with a WARC version alone, normally a whole line; after a cut
 * record the next one can start in the middle of a line, and the bytes before it are skipped.
 * Blank lines between records are fine.
 */
async function seekRecordStart(reader: ByteReader): Promise<RecordStart> {
  let skippedBytes = 0;
  let skippedFrom = reader.offset;
  const skip = (bytes: Uint8Array, offset: number) => {
    if (isBlank(bytes)) return;
    if (skippedBytes === 0) skippedFrom = offset;
    skippedBytes += bytes.length;
  };
  for (;;) {
    const offset = reader.offset;
    const line = await reader.readLine(MAX_LINE_BYTES);
    if (line === null) return { version: null, offset, skippedBytes, skippedFrom };
    const at = versionAt(line);
    if (at >= 0) {
      skip(line.subarray(0, at), offset);
      return { version: line.toString("latin1", at).trim(), offset: offset + at, skippedBytes, skippedFrom };
    }
    skip(line, offset);
  }
}

/** Where the version that ends this line starts, or -1. */
function versionAt(line: Buffer): number {
  const at = line.lastIndexOf("WARC/");
  return at >= 0 && VERSION_LINE.test(line.toString("latin1", at)) ? at : -1;
}

/** The named fields up to the blank line, or why they are malformed. */
async function readHeader(reader: ByteReader): Promise<HeaderFields | string> {
  const entries: [string, string][] = [];
  let headerBytes = 0;
  for (;;) {
    const line = await reader.readLine(MAX_LINE_BYTES);
    if (line === null) return "the data ends inside the header";
    if (line[line.length - 1] !== LF) {
      return line.length >= MAX_LINE_BYTES ? `header line over ${MAX_LINE_BYTES} bytes` : "the data ends inside the header";
    }
    headerBytes += line.length;
    if (headerBytes > MAX_HEADER_BYTES) return `header over ${MAX_HEADER_BYTES} bytes`;
    if (isBlank(line)) return new HeaderFields(entries);
    if (versionAt(line) >= 0) {
      // This record was cut short and the next one starts here.
      reader.unshift(line);
      return "the header runs into the next record";
    }
    const text = line.toString("utf8").replace(/\r?\n$/, "");
    const previous = entries[entries.length - 1];
    if (text[0] === " " || text[0] === "\t") {
      if (!previous) {
        reader.unshift(line);
        return "continuation line before any header field";
      }
      previous[1] = `${previous[1]} ${text.trim()}`.trim();
      continue;
    }
    const colon = text.indexOf(":");
    const name = colon > 0 ? text.slice(0, colon).trim() : "";
    if (!FIELD_NAME.test(name)) {
      // The line may be the start of the next record (this one's header was cut short): rescan it.
      reader.unshift(line);
      return `malformed header line ${JSON.stringify(text.slice(0, 80))}`;
    }
    entries.push([name, text.slice(colon + 1).trim()]);
  }
}

/**
 * Consumes the CRLFCRLF (or LF LF) after a block. Also accepted: a shorter run of line endings
 * followed directly by the next record or the end of the data. False when the block is followed
 * by anything else, i.e. Content-Length was wrong.
 */
async function consumeRecordEnd(reader: ByteReader): Promise<boolean> {
  const ahead = await reader.peek(4 + 12);
  let run = 0;
  let lineFeeds = 0;
  while (run < 4 && run < ahead.length && (ahead[run] === CR || ahead[run] === LF)) {
    if (ahead[run] === LF) lineFeeds++;
    run++;
  }
  const rest = ahead.subarray(run);
  const nextIsRecord = rest.length === 0 || /^WARC\/(?:1\.\d|0\.1[78])[ \t]*\r?\n/.test(rest.toString("latin1"));
  if (lineFeeds >= 2 || nextIsRecord) {
    await reader.skip(run);
    return true;
  }
  return false;
}

function isBlank(line: Uint8Array): boolean {
  for (const byte of line) if (byte !== CR && byte !== LF && byte !== 0x20 && byte !== 0x09) return false;
  return true;
}
