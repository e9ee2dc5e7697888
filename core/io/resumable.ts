import { KilnError, errorMessage } from "../errors.js";
import { RetryableError, isRetryable, retryDelayMs, retryPolicy, waitBeforeRetry } from "./retry.js";

/** A response body and the offset of its first byte in the whole object. */
export interface BodyFrom {
  body: AsyncIterable<Uint8Array>;
  start: number;
}

/** Bytes [start, end) of an object. */
export interface ByteRange {
  start: number;
  end: number;
}

/** For a source that has nothing left to send. */
export async function* emptyBody(): AsyncGenerator<Uint8Array> {}

/**
 * Opens the object at `offset`. A source that cannot seek answers with `start: 0` and the
 * bytes before `offset` are skipped. Throws RetryableError or a network error to be retried.
 */
export type OpenAt = (offset: number) => Promise<BodyFrom>;

/**
 * The bytes of an object, surviving connection resets: after a failure (before or in the middle
 * of the body) it waits and opens again at the first byte not yet delivered. The retry count
 * resets whenever bytes arrive, so a long download can survive many spaced-out resets.
 */
export async function* resumableBytes(
  describe: string,
  openAt: OpenAt,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const policy = retryPolicy();
  const progress: Progress = { delivered: 0, failures: 0 };
  for (;;) {
    const failure = yield* attemptFrom(openAt, progress);
    if (failure === undefined) return;
    if (signal?.aborted || !isRetryable(failure) || progress.failures >= policy.retries) {
      throw finalError(describe, failure);
    }
    await waitBeforeRetry(retryDelayMs(failure, progress.failures, policy), signal);
    progress.failures += 1;
  }
}

interface Progress {
  delivered: number;
  /** Consecutive failed attempts without a byte delivered. */
  failures: number;
}

/**
 * One request: yields the bytes past those already delivered and returns the failure that ended
 * it, if any. Failures are returned, not thrown, and the yield sits outside any catch, so an error
 * the consumer throws in is never taken for a network failure and retried.
 */
async function* attemptFrom(openAt: OpenAt, progress: Progress): AsyncGenerator<Uint8Array, unknown> {
  let opened: BodyFrom;
  try {
    opened = await openAt(progress.delivered);
  } catch (error) {
    return error;
  }
  let skip = progress.delivered - opened.start;
  if (skip < 0) return new Error(`the source resumed at byte ${opened.start}, past byte ${progress.delivered}`);
  const reader = opened.body[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await reader.next();
      } catch (error) {
        return error;
      }
      if (next.done) return undefined;
      let chunk = next.value;
      if (skip > 0) {
        const skipped = Math.min(skip, chunk.length);
        chunk = chunk.subarray(skipped);
        skip -= skipped;
      }
      if (chunk.length === 0) continue;
      progress.delivered += chunk.length;
      progress.failures = 0;
      yield chunk;
    }
  } finally {
    // Stops the download when the consumer stops early (cancels a fetch body, destroys a socket).
    await reader.return?.()?.catch(() => undefined);
  }
}

function finalError(describe: string, failure: unknown): unknown {
  if (failure instanceof KilnError || (failure instanceof Error && failure.name === "AbortError")) return failure;
  if (failure instanceof RetryableError) return new KilnError(failure.code, failure.message);
  return new KilnError("read_error", `${describe}: ${errorMessage(failure)}`);
}
