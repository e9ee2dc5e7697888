import zlib from "node:zlib";
import { errorMessage } from "../../core/index.js";
import { HeaderFields } from "./header-fields.js";

export interface HttpResponse {
  /** e.g. `HTTP/1.1`. */
  protocol: string;
  status: number;
  /** Empty when the status line has none. */
  reason: string;
  headers: HeaderFields;
  /** The body as stored: possibly chunked, possibly compressed; see `decodeHttpBody`. */
  body: Uint8Array;
}

export type HttpProblemKind = "bad_http" | "bad_content_encoding" | "too_large";

export interface HttpProblem {
  problem: HttpProblemKind;
  detail: string;
}

export function isHttpProblem<T extends object>(value: T | HttpProblem): value is HttpProblem {
  return "problem" in value;
}

const MAX_HEADER_BYTES = 256 * 1024;
const STATUS_LINE = /^(HTTP\/\d+(?:\.\d+)?)[ \t]+(\d{3})(?:[ \t]+(.*))?$/i;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Parses the HTTP response in a WARC `response` block. Tolerates LF-only line endings, a missing
 * reason phrase, header lines that are not `name: value` (skipped, as browsers do) and a header
 * that runs to the end of the block (empty body).
 */
export function parseHttpResponse(block: Uint8Array): HttpResponse | HttpProblem {
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  let position = 0;
  while (position < bytes.length && (bytes[position] === CR || bytes[position] === LF)) position++;
  const lines: string[] = [];
  let bodyStart = bytes.length;
  for (;;) {
    if (position >= bytes.length) break;
    let end = bytes.indexOf(LF, position);
    if (end < 0) end = bytes.length;
    if (end - position > MAX_HEADER_BYTES) return { problem: "bad_http", detail: "HTTP header line too long" };
    const line = bytes.toString("latin1", position, end).replace(/\r$/, "");
    position = end + 1;
    if (line === "") {
      bodyStart = Math.min(position, bytes.length);
      break;
    }
    lines.push(line);
    if (position > MAX_HEADER_BYTES) return { problem: "bad_http", detail: `HTTP header over ${MAX_HEADER_BYTES} bytes` };
  }
  const statusLine = lines[0];
  if (statusLine === undefined) return { problem: "bad_http", detail: "empty response block" };
  const status = STATUS_LINE.exec(statusLine.trim());
  if (!status) return { problem: "bad_http", detail: `bad status line ${JSON.stringify(statusLine.slice(0, 80))}` };

  const entries: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const previous = entries[entries.length - 1];
    if ((line[0] === " " || line[0] === "\t") && previous) {
      previous[1] = `${previous[1]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    entries.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return {
    protocol: status[1]!.toUpperCase(),
    status: Number(status[2]),
    reason: (status[3] ?? "").trim(),
    headers: new HeaderFields(entries),
    body: bytes.subarray(bodyStart),
  };
}

/**
 * The body as the server meant it: chunked transfer coding removed (only when the body really is
 * chunked: Common Crawl sometimes keeps the header but stores the body dechunked) and the content
 * codings undone. Never returns more than `maxBytes` bytes: a bigger body is `too_large`.
 */
export function decodeHttpBody(response: HttpResponse, maxBytes: number): Uint8Array | HttpProblem {
  let body = response.body;
  const transferEncoding = (response.headers.get("Transfer-Encoding") ?? "").toLowerCase();
  if (transferEncoding.includes("chunked")) body = dechunk(body) ?? body;
  if (body.length > maxBytes) return { problem: "too_large", detail: `body of ${body.length} bytes` };

  const codings = (response.headers.get("Content-Encoding") ?? "")
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "identity" && coding !== "none");
  for (const coding of codings.reverse()) {
    const decoded = undoContentCoding(coding, body, maxBytes);
    if (isHttpProblem(decoded)) return decoded;
    body = decoded;
  }
  return body;
}

function undoContentCoding(coding: string, body: Uint8Array, maxBytes: number): Uint8Array | HttpProblem {
  if (body.length === 0) return body;
  // A truncated record still yields the part that was captured.
  const flushing = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxBytes };
  try {
    switch (coding) {
      case "gzip":
      case "x-gzip":
        // Crawlers often store the body already decompressed but keep the header.
        if (body[0] !== 0x1f || body[1] !== 0x8b) return body;
        return zlib.gunzipSync(body, flushing);
      case "deflate":
        // "deflate" is meant to be zlib-wrapped, but many servers send raw deflate.
        try {
          return zlib.inflateSync(body, flushing);
        } catch (error) {
          if (isTooLarge(error)) throw error;
          return zlib.inflateRawSync(body, flushing);
        }
      case "br":
        return zlib.brotliDecompressSync(body, {
          finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
          maxOutputLength: maxBytes,
        });
      default:
        return { problem: "bad_content_encoding", detail: `unsupported Content-Encoding "${coding}"` };
    }
  } catch (error) {
    if (isTooLarge(error)) return { problem: "too_large", detail: `${coding} body decodes to over ${maxBytes} bytes` };
    return { problem: "bad_content_encoding", detail: `${coding}: ${errorMessage(error)}` };
  }
}

function isTooLarge(error: unknown): boolean {
  return error instanceof RangeError || (error as { code?: string } | null)?.code === "ERR_BUFFER_TOO_LARGE";
}

/**
 * Removes the chunked transfer coding. Null when the body does not start with a chunk (it was
 * stored dechunked). A body cut short ends with the chunks that were complete, plus the part of
 * the last one that was captured.
 */
export function dechunk(body: Uint8Array): Uint8Array | null {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const parts: Buffer[] = [];
  let position = 0;
  for (;;) {
    const lineEnd = bytes.indexOf(LF, position);
    if (lineEnd < 0 || lineEnd - position > 1024) break;
    const sizeLine = /^([0-9a-fA-F]+)[ \t]*(?:;[^\r\n]*)?\r?$/.exec(bytes.toString("latin1", position, lineEnd));
    if (!sizeLine) break;
    const size = parseInt(sizeLine[1]!, 16);
    const dataStart = lineEnd + 1;
    if (size === 0) return Buffer.concat(parts);
    const dataEnd = dataStart + size;
    const followedByLineEnd = bytes[dataEnd] === LF || (bytes[dataEnd] === CR && bytes[dataEnd + 1] === LF);
    // The first chunk must be well-formed, or the body is not chunked at all.
    if (parts.length === 0 && dataEnd < bytes.length && !followedByLineEnd) return null;
    parts.push(bytes.subarray(dataStart, Math.min(dataEnd, bytes.length)));
    if (dataEnd >= bytes.length || !followedByLineEnd) return Buffer.concat(parts);
    position = dataEnd + (bytes[dataEnd] === CR ? 2 : 1);
  }
  return parts.length === 0 ? null : Buffer.concat(parts);
}
