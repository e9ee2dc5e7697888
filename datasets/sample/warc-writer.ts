/**
 * WARC/1.0 record serialization the way Common Crawl writes it: named fields, CRLF line ends,
 * an exact Content-Length, SHA-1 digests in base32, the block, then CRLF CRLF. Each record is
 * compressed as its own gzip member, so a file is a multi-member gzip that can be read from
 * any record's offset. Used by the sample corpus and by tests that need WARC fixtures.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { AtomicFileWriter } from "./atomic-file.js";

const CRLF = "\r\n";
const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export type WarcRecordType =
  | "warcinfo" | "response" | "resource" | "request" | "metadata" | "revisit" | "conversion" | "continuation";

export type WarcField = readonly [name: string, value: string];

export interface WarcRecordInput {
  type: WarcRecordType;
  /** `<urn:uuid:…>`, see {@link warcRecordId}. */
  recordId: string;
  /** WARC-Date, e.g. `2024-03-01T12:00:00Z`, see {@link formatWarcDate}. */
  date: string;
  contentType?: string;
  targetUri?: string;
  block: Uint8Array;
  /** The payload inside the block (an HTTP body); when given, WARC-Payload-Digest is written. */
  payload?: Uint8Array;
  /** More named fields, written after Content-Type in this order. */
  fields?: readonly WarcField[];
  /** Write WARC-Block-Digest (default true). */
  blockDigest?: boolean;
  /** Deliberate faults, only for fixtures that test how readers cope with broken input. */
  faults?: {
    /** Declared Content-Length instead of the real block length. */
    contentLength?: number;
    /** Lines written verbatim among the header fields (after Content-Type). */
    rawHeaderLines?: readonly string[];
  };
}

/** RFC 4648 base32, upper case, padded with "=" to a multiple of 8 characters. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

/** `sha1:<base32>`, the digest form used in WARC-Block-Digest and WARC-Payload-Digest. */
export function warcDigest(data: Uint8Array): string {
  return `sha1:${base32(createHash("sha1").update(data).digest())}`;
}

export function warcRecordId(uuid: string): string {
  return `<urn:uuid:${uuid}>`;
}

/** WARC-Date with second precision: `2024-03-01T12:00:00Z`. */
export function formatWarcDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** HTTP Date header: `Fri, 01 Mar 2024 12:00:00 GMT`. */
export function formatHttpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

function headerText(startLine: string, fields: readonly WarcField[]): string {
  let text = startLine + CRLF;
  for (const [name, value] of fields) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header field ${name} contains a line break`);
    text += `${name}: ${value}${CRLF}`;
  }
  return text + CRLF;
}

/** An HTTP response as a WARC block: status line, headers, blank line, body. */
export function httpResponseBlock(
  statusLine: string,
  headers: readonly WarcField[],
  body: Uint8Array,
): { block: Buffer; payload: Buffer } {
  const payload = Buffer.from(body);
  return { block: Buffer.concat([Buffer.from(headerText(statusLine, headers), "utf8"), payload]), payload };
}

/** An HTTP request as a WARC block (no body). */
export function httpRequestBlock(requestLine: string, headers: readonly WarcField[]): Buffer {
  return Buffer.from(headerText(requestLine, headers), "utf8");
}

/** An `application/warc-fields` block, as in a warcinfo record. */
export function warcFieldsBlock(fields: readonly WarcField[]): Buffer {
  return Buffer.from(fields.map(([name, value]) => `${name}: ${value}${CRLF}`).join(""), "utf8");
}

/** One complete record: header, block, CRLF CRLF. */
export function serializeWarcRecord(input: WarcRecordInput): Buffer {
  const { block, faults } = input;
  const lines = [
    "WARC/1.0",
    `WARC-Type: ${input.type}`,
    `WARC-Date: ${input.date}`,
    `WARC-Record-ID: ${input.recordId}`,
    `Content-Length: ${faults?.contentLength ?? block.length}`,
  ];
  if (input.contentType !== undefined) lines.push(`Content-Type: ${input.contentType}`);
  for (const raw of faults?.rawHeaderLines ?? []) lines.push(raw);
  const named: WarcField[] = [...(input.fields ?? [])];
  if (input.targetUri !== undefined) named.push(["WARC-Target-URI", input.targetUri]);
  if (input.payload !== undefined) named.push(["WARC-Payload-Digest", warcDigest(input.payload)]);
  if (input.blockDigest !== false) named.push(["WARC-Block-Digest", warcDigest(block)]);
  for (const [name, value] of named) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`WARC field ${name} contains a line break`);
    lines.push(`${name}: ${value}`);
  }
  return Buffer.concat([Buffer.from(lines.join(CRLF) + CRLF + CRLF, "utf8"), block, Buffer.from(CRLF + CRLF)]);
}

/** Where a record's gzip member sits in its file (as in a CDX index: offset and length). */
export interface WarcMemberLocation {
  offset: number;
  length: number;
}

/**
 * Writes records to `<path>` as one gzip member each, through a temporary name that is renamed
 * on {@link close}. Memory does not grow with the number of records.
 */
export class WarcGzipWriter {
  readonly path: string;
  private readonly file: AtomicFileWriter;
  private readonly level: number;
  private bytesWritten = 0;

  constructor(path: string, options: { level?: number } = {}) {
    this.path = path;
    this.file = new AtomicFileWriter(path);
    this.level = options.level ?? 6;
  }

  async write(record: Uint8Array): Promise<WarcMemberLocation> {
    const member = gzipSync(record, { level: this.level });
    const location = { offset: this.bytesWritten, length: member.length };
    this.bytesWritten += member.length;
    await this.file.write(member);
    return location;
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  async abort(): Promise<void> {
    await this.file.abort();
  }
}
