import { Readable } from "node:stream";
import { KilnError, errorMessage } from "../errors.js";
import { emptyBody, resumableBytes, type BodyFrom, type ByteRange, type OpenAt } from "./resumable.js";
import { RetryableError, isRetryable, parseRetryAfter, retryDelayMs, retryPolicy, waitBeforeRetry } from "./retry.js";

export function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/**
 * The raw bytes at `url`. 429, 5xx and network errors are retried with backoff; a body cut off
 * midway resumes with a Range request when the server supports ranges, otherwise the restarted
 * body's first bytes are skipped. A resumed answer from another version of the file (another
 * strong ETag or Last-Modified) is an error, not spliced onto the bytes already read.
 */
export function openHttp(url: string, signal?: AbortSignal, range?: ByteRange & { version?: HttpVersion }): Readable {
  if (range) return openHttpRange(url, range, signal);
  let acceptsRanges = false;
  // The version of the answer the first bytes came from: a resumed answer from another would splice two files.
  let version: HttpVersion | undefined;
  const openAt: OpenAt = async (offset) => {
    const ranged = offset > 0 && acceptsRanges;
    // identity: fetch would otherwise undo a Content-Encoding, and byte offsets would stop adding up.
    const headers: Record<string, string> = { "accept-encoding": "identity" };
    if (ranged) headers["range"] = `bytes=${offset}-`;
    const response = await fetch(url, { headers, signal });
    if (response.status === 416 && ranged) {
      // The break came after the last byte: nothing is left to read.
      await response.body?.cancel();
      return { body: emptyBody(), start: offset };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw statusError(url, response);
    }
    const answered = versionOf(response);
    if (offset === 0) version = answered;
    else if (version && answered && !sameVersion(version, answered)) {
      await response.body?.cancel();
      throw new KilnError("http_error", `${url}: the file changed while it was read (${describeVersion(version)}, then ${describeVersion(answered)}); read it again`);
    }
    if (response.status === 206 || response.headers.get("accept-ranges")?.toLowerCase() === "bytes") {
      acceptsRanges = true;
    }
    return bodyFrom(response, ranged ? offset : 0);
  };
  return Readable.from(resumableBytes(url, openAt, signal), { objectMode: false });
}

/**
 * Bytes [start, end) of `url`, by Range requests (retried and resumed like a whole body); only
 * of the version `range.version` names, when it names one (see httpHead).
 */
function openHttpRange(url: string, range: ByteRange & { version?: HttpVersion }, signal?: AbortSignal): Readable {
  const openAt: OpenAt = async (offset) => {
    const headers: Record<string, string> = { "accept-encoding": "identity", range: `bytes=${range.start + offset}-${range.end - 1}` };
    if (range.version) headers[range.version.etag ? "if-match" : "if-unmodified-since"] = range.version.etag ?? range.version.lastModified!;
    const response = await fetch(url, { headers, signal });
    if (response.status === 412 && range.version) {
      await response.body?.cancel();
      throw new KilnError("http_error", `${url}: the file changed while it was read (no longer ${describeVersion(range.version)}); read it again`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw statusError(url, response);
    }
    if (response.status !== 206) {
      await response.body?.cancel();
      throw new KilnError("http_error", `${url}: the server does not answer Range requests (HTTP ${response.status}), which reading parts of a file needs`);
    }
    return { body: response.body ? Readable.fromWeb(response.body) : emptyBody(), start: offset };
  };
  return Readable.from(resumableBytes(url, openAt, signal), { objectMode: false });
}

/**
 * Which version of a file an answer holds: its strong ETag, else its Last-Modified date (a weak
 * ETag does not promise the same bytes).
 */
export interface HttpVersion {
  etag?: string;
  lastModified?: string;
}

function versionOf(response: Response): HttpVersion | undefined {
  const etag = response.headers.get("etag");
  if (etag && !etag.startsWith("W/")) return { etag };
  const lastModified = response.headers.get("last-modified");
  return lastModified ? { lastModified } : undefined;
}

const describeVersion = (version: HttpVersion) => (version.etag ? `ETag ${version.etag}` : `Last-Modified ${version.lastModified}`);

/** Whether two answers hold the same version, by what both name (an answer may name its ETag and another only its date). */
function sameVersion(a: HttpVersion, b: HttpVersion): boolean {
  if (a.etag && b.etag) return a.etag === b.etag;
  if (a.lastModified && b.lastModified) return a.lastModified === b.lastModified;
  return true;
}

/**
 * The size of the resource at `url` in bytes and its version, from a HEAD request (retried like a
 * read). Ranged reads of the file pass the version on (If-Match, If-Unmodified-Since), so that
 * parts of two versions are never read as one file.
 */
export async function httpHead(url: string, signal?: AbortSignal): Promise<{ size: number; version?: HttpVersion }> {
  const policy = retryPolicy();
  for (let failures = 0; ; failures++) {
    try {
      const response = await fetch(url, { method: "HEAD", headers: { "accept-encoding": "identity" }, signal });
      if (!response.ok) throw statusError(url, response);
      const length = Number(response.headers.get("content-length") ?? NaN);
      if (!Number.isSafeInteger(length)) throw new KilnError("http_error", `${url}: no Content-Length in the HEAD response`);
      const version = versionOf(response);
      return version ? { size: length, version } : { size: length };
    } catch (error) {
      if (!isRetryable(error) || failures >= policy.retries) throw error instanceof RetryableError ? new KilnError(error.code, error.message) : error instanceof KilnError ? error : new KilnError("read_error", `${url}: ${errorMessage(error)}`);
      await waitBeforeRetry(retryDelayMs(error, failures, policy), signal);
    }
  }
}

function bodyFrom(response: Response, requestedStart: number): BodyFrom {
  const body = response.body ? Readable.fromWeb(response.body) : emptyBody();
  if (response.status !== 206) return { body, start: 0 };
  const range = /^bytes (\d+)-/i.exec(response.headers.get("content-range") ?? "");
  return { body, start: range?.[1] !== undefined ? Number(range[1]) : requestedStart };
}

function statusError(url: string, response: Response): Error {
  const message = `${url}: HTTP ${response.status} ${response.statusText}`.trimEnd();
  if (response.status === 429 || response.status >= 500) {
    return new RetryableError("http_error", message, parseRetryAfter(response.headers.get("retry-after")));
  }
  return new KilnError("http_error", message);
}
