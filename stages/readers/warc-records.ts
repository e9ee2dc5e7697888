import { createHash } from "node:crypto";
import { errorMessage } from "../../core/index.js";
import { HeaderFields } from "./header-fields.js";
import { isHttpProblem, parseHttpResponse } from "./http-response.js";
import { ByteReader } from "./warc-bytes.js";

export { HeaderFields } from "./header-fields.js";

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
  /** How many records it cost, when more than one (records inside a skipped span). */
  records?: number;
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
        const skip = await skipBlock(reader, length, maxBlockBytes);
        let detail = `block of ${length} bytes is over the ${maxBlockBytes}-byte limit`;
        if (skip.skipped < length) detail += ` and runs past the end of the data (${skip.skipped} bytes left)`;
        else if (!skip.held) detail += " and does not end at a record boundary";
        if (!skip.held && skip.resumed) detail += "; reading goes on at the next record inside it";
        if (skip.lost > 0) detail += `; ${skip.lost} records inside it are lost`;
        const problem: WarcProblem = { problem: "block_too_large", detail, offset: start.offset };
        if (skip.lost > 0) problem.records = 1 + skip.lost;
        yield problem;
        if (!skip.held && !skip.resumed) resyncing = true;
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
      if (hasRecordStart(block) && !(await blockIsWhole(header, block, reader))) {
        // The block swallowed the start of another record: Content-Length is too large.
        reader.unshift(block);
        yield malformed(`Content-Length ${length} runs into the next record`, start.offset);
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
    const line = reader.bufferedLine(MAX_LINE_BYTES) ?? (await reader.readLine(MAX_LINE_BYTES));
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

/** Does a line inside the block start a record? Then the block may hold the start of the next one. */
function hasRecordStart(block: Buffer): boolean {
  for (let at = block.indexOf("\nWARC/"); at >= 0; at = block.indexOf("\nWARC/", at + 1)) {
    if (RECORD_START.test(block.toString("latin1", at + 1, at + 1 + START_PROBE_BYTES))) return true;
  }
  return false;
}

/**
 * For a block with a record start inside it: is it nonetheless the whole block (a page about
 * WARC, an archived WARC file)? The block digest decides when there is a SHA-1 one; otherwise
 * the block must hold no whole record of its own, unless its payload is a WARC file, and be
 * followed by the next record or the end of the data.
 */
async function blockIsWhole(header: HeaderFields, block: Buffer, reader: ByteReader): Promise<boolean> {
  const digest = sha1Digest(header.get("WARC-Block-Digest"));
  if (digest) return createHash("sha1").update(block).digest().equals(digest);
  // A Content-Length too large by the length of the records after it ends at a later record's
  // boundary, and then the next record follows too: the whole records inside give the lie away,
  // unless the payload is a WARC file, whose records they are. (A page that quotes a whole record,
  // its length true to the byte, reads so too: it is counted as malformed, not lost.)
  if (holdsWholeRecord(block) && !carriesWarc(header, block)) return false;
  const ahead = (await reader.peek(4 + START_PROBE_BYTES)).toString("latin1");
  return /^(?:\r?\n){0,2}$/.test(ahead) || /^(?:\r?\n){1,2}WARC\/(?:1\.\d|0\.1[78])[ \t]*\r?\n/.test(ahead);
}

/** How many record starts inside a block holdsWholeRecord reads, at most: a lie shows at the first. */
const INNER_STARTS_READ = 8;

/**
 * Whether a record start inside `block` begins a whole record: a header with a Content-Length
 * whose block ends inside `block` followed by a record end, or at the end of `block`.
 */
function holdsWholeRecord(block: Buffer): boolean {
  let read = 0;
  for (let at = block.indexOf("\nWARC/"); at >= 0 && read < INNER_STARTS_READ; at = block.indexOf("\nWARC/", at + 1)) {
    const start = at + 1;
    if (!RECORD_START.test(block.toString("latin1", start, start + START_PROBE_BYTES))) continue;
    read++;
    const head = block.subarray(start, start + MAX_HEADER_BYTES);
    const crlf = head.indexOf("\r\n\r\n");
    const lf = head.indexOf("\n\n");
    if (crlf < 0 && lf < 0) continue;
    const [headEnd, bodyStart] = lf >= 0 && (crlf < 0 || lf < crlf) ? [lf, lf + 2] : [crlf, crlf + 4];
    const length = /\ncontent-length:[ \t]*(\d+)[ \t]*\r?(?:\n|$)/i.exec(head.toString("latin1", 0, headEnd))?.[1];
    if (length === undefined) continue;
    const end = start + bodyStart + Number(length);
    // Its record end, or as much of one as the block holds (it may end with this record).
    const after = block.subarray(end, end + 4);
    const lineEnds = after.every((byte) => byte === CR || byte === LF);
    if (end <= block.length && lineEnds && (end + 4 > block.length || after.filter((byte) => byte === LF).length >= 2)) return true;
  }
  return false;
}

/** A WARC file's media type (`application/warc`, not the `application/warc-fields` of a warcinfo). */
const WARC_MEDIA_TYPE = /^application\/(?:x-)?warc(?![-\w])/i;

/**
 * Whether the record's payload is a WARC file: its Content-Type, or for an HTTP message the
 * message's own.
 */
function carriesWarc(header: HeaderFields, block: Buffer): boolean {
  const type = header.get("Content-Type")?.trim() ?? "";
  if (!/^application\/http/i.test(type)) return WARC_MEDIA_TYPE.test(type);
  const message = parseHttpResponse(block);
  return !isHttpProblem(message) && WARC_MEDIA_TYPE.test(message.headers.get("Content-Type")?.trim() ?? "");
}

/** The bytes of a `sha1:` digest in base32 (as WARC writers put it) or hex; undefined otherwise. */
function sha1Digest(field: string | undefined): Buffer | undefined {
  const match = /^sha1:([A-Za-z2-7]{32}|[0-9a-fA-F]{40})=*$/.exec(field?.trim() ?? "");
  if (!match) return undefined;
  const text = match[1]!;
  if (text.length === 40) return Buffer.from(text, "hex");
  const bytes = Buffer.alloc(20);
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const char of text.toUpperCase()) {
    const digit = char >= "A" ? char.charCodeAt(0) - 65 : char.charCodeAt(0) - 24; // "2".."7" are 26..31
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes[at++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return bytes;
}

interface BlockSkip {
  skipped: number;
  /** The block ended at a record boundary: its Content-Length was true. */
  held: boolean;
  /** It did not, and parsing resumes at the first record that started inside it. */
  resumed: boolean;
  /** Record starts inside a lying block that could not be kept for parsing. */
  lost: number;
}

/** A line that starts a record: the version alone on it. */
const RECORD_START = /^WARC\/(?:1\.\d|0\.1[78])[ \t]*\r?\n/;
const START_PROBE_BYTES = 16;
const SKIP_PIECE_BYTES = 1 << 20;

/**
 * Streams past a block of `length` bytes without buffering it, and consumes the record end. A
 * Content-Length can lie: from the first line inside the block that starts a record, up to `keep`
 * bytes are held back; if the block then does not end at a record boundary, they are put back
 * and parsed, so a lying length costs one record, not the rest of the file. Record starts that
 * did not fit in `keep` are counted as lost.
 */
async function skipBlock(reader: ByteReader, length: number, keep: number): Promise<BlockSkip> {
  let skipped = 0;
  let kept: Buffer[] | null = null;
  let keptBytes = 0;
  let overflowed = false;
  let starts = 0;
  // The last bytes of the previous piece, not yet probed for a record start.
  let carry: Buffer = Buffer.alloc(0);
  let previousByte = LF;
  while (skipped < length) {
    const piece = await reader.read(Math.min(SKIP_PIECE_BYTES, length - skipped));
    if (piece.length === 0) break;
    skipped += piece.length;
    const last = skipped >= length;
    const probe = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
    const probeEnd = last ? probe.length : Math.max(0, probe.length - START_PROBE_BYTES);
    let firstStart = -1;
    for (let at = probe.indexOf("WARC/"); at >= 0 && at < probeEnd; at = probe.indexOf("WARC/", at + 1)) {
      const before = at > 0 ? probe[at - 1] : previousByte;
      if (before !== LF || !RECORD_START.test(probe.toString("latin1", at, at + START_PROBE_BYTES))) continue;
      starts++;
      if (firstStart < 0) firstStart = at;
    }
    if (kept === null && !overflowed && firstStart >= 0) {
      kept = [probe.subarray(firstStart)];
      keptBytes = probe.length - firstStart;
    } else if (kept !== null) {
      kept.push(piece);
      keptBytes += piece.length;
    }
    if (kept !== null && keptBytes > keep) {
      kept = null;
      overflowed = true;
    }
    previousByte = probe[probeEnd - 1] ?? previousByte;
    carry = probe.subarray(probeEnd);
  }
  const held = skipped === length && (await consumeRecordEnd(reader));
  if (held) return { skipped, held, resumed: false, lost: 0 };
  if (kept !== null) {
    reader.unshift(Buffer.concat(kept));
    return { skipped, held, resumed: true, lost: 0 };
  }
  return { skipped, held, resumed: false, lost: starts };
}

/** The named fields up to the blank line, or why they are malformed. */
async function readHeader(reader: ByteReader): Promise<HeaderFields | string> {
  const whole = bufferedHeader(reader);
  if (whole) return whole;
  const entries: [string, string][] = [];
  let headerBytes = 0;
  for (;;) {
    const line = reader.bufferedLine(MAX_LINE_BYTES) ?? (await reader.readLine(MAX_LINE_BYTES));
    if (line === null) return "the data ends inside the header";
    if (line[line.length - 1] !== LF) {
      return line.length >= MAX_LINE_BYTES ? `header line over ${MAX_LINE_BYTES} bytes` : "the data ends inside the header";
    }
    headerBytes += line.length;
    if (headerBytes > MAX_HEADER_BYTES) return `header over ${MAX_HEADER_BYTES} bytes`;
    if (isBlank(line)) return new HeaderFields(entries);
    const text = line.toString("utf8", 0, line.length - (line[line.length - 2] === CR ? 2 : 1));
    if (text.includes("WARC/") && versionAt(line) >= 0) {
      // This record was cut short and the next one starts here.
      reader.unshift(line);
      return "the header runs into the next record";
    }
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
 * The common case of `readHeader` in one pass: a header that is already buffered, every line a
 * `name: value` field ending in CRLF, then a blank CRLF line. Anything else (continuation lines,
 * bare LF, a version line, a header not yet buffered) is left to the line-by-line parser, which
 * gives the same fields; undefined then, and nothing is consumed.
 */
function bufferedHeader(reader: ByteReader): HeaderFields | undefined {
  const bytes = reader.buffered();
  const end = bytes.indexOf("\r\n\r\n");
  if (end <= 0 || end + 4 > MAX_LINE_BYTES) return undefined;
  const lines = bytes.toString("utf8", 0, end).split("\r\n");
  const entries: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    const folded = line[0] === " " || line[0] === "\t";
    if (colon <= 0 || folded || line.includes("\n") || line.includes("WARC/")) return undefined;
    const name = line.slice(0, colon).trim();
    if (!FIELD_NAME.test(name)) return undefined;
    entries.push([name, line.slice(colon + 1).trim()]);
  }
  reader.consume(end + 4);
  return new HeaderFields(entries);
}

/**
 * Consumes the CRLFCRLF (or LF LF) after a block. Also accepted: a shorter run of line endings
 * followed directly by the next record or the end of the data. False when the block is followed
 * by anything else, i.e. Content-Length was wrong.
 */
async function consumeRecordEnd(reader: ByteReader): Promise<boolean> {
  // The usual CRLFCRLF decides from 4 bytes: asking for more would join the next chunk onto
  // the end of this one when a gzip member ends after it, copying every record once.
  const end = await reader.peek(4);
  if (end.length === 4 && end.filter((byte) => byte === LF).length >= 2 && end.every((byte) => byte === CR || byte === LF)) {
    await reader.skip(4);
    return true;
  }
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
