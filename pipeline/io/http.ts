import { Readable } from "node:stream";
import { KilnError } from "../errors.js";
import { emptyBody, resumableBytes, type BodyFrom, type OpenAt } from "./resumable.js";
import { RetryableError, parseRetryAfter } from "./retry.js";

export function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/**
 * The raw bytes at `url`. 429, 5xx and network errors are retried with backoff; a body cut off
 * midway resumes with a Range request when the server supports ranges, otherwise the restarted
 * body's first bytes are skipped.
 */
export function openHttp(url: string, signal?: AbortSignal): Readable {
  let acceptsRanges = false;
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
    if (response.status === 206 || response.headers.get("accept-ranges")?.toLowerCase() === "bytes") {
      acceptsRanges = true;
    }
    return bodyFrom(response, ranged ? offset : 0);
  };
  return Readable.from(resumableBytes(url, openAt, signal), { objectMode: false });
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
