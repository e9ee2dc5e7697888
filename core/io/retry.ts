import { setTimeout as sleep } from "node:timers/promises";
import { KilnError, type KilnErrorCode } from "../errors.js";

export interface RetryPolicy {
  /** Attempts after the first one; a resumed download resets the count once bytes arrive. */
  retries: number;
  baseDelayMs: number;
  /** Caps both the exponential backoff and a server's Retry-After. */
  maxDelayMs: number;
}

const DEFAULT_POLICY: RetryPolicy = { retries: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

let overrides: Partial<RetryPolicy> = {};

/** Replaces earlier overrides (pass `{}` to go back to the environment and the defaults). */
export function setRetryPolicy(policy: Partial<RetryPolicy>): void {
  overrides = { ...policy };
}

/** Overrides, then env KILN_HTTP_RETRIES / KILN_HTTP_BASE_DELAY_MS / KILN_HTTP_MAX_DELAY_MS, then defaults. */
export function retryPolicy(): RetryPolicy {
  return {
    retries: overrides.retries ?? envNumber("KILN_HTTP_RETRIES") ?? DEFAULT_POLICY.retries,
    baseDelayMs: overrides.baseDelayMs ?? envNumber("KILN_HTTP_BASE_DELAY_MS") ?? DEFAULT_POLICY.baseDelayMs,
    maxDelayMs: overrides.maxDelayMs ?? envNumber("KILN_HTTP_MAX_DELAY_MS") ?? DEFAULT_POLICY.maxDelayMs,
  };
}

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new KilnError("bad_env", `${name} must be a non-negative number, got "${raw}"`);
  }
  return value;
}

/**
 * A failure worth another attempt, e.g. HTTP 429/5xx, with the server's wait if it sent one.
 * `code` is the KilnError code it becomes when the attempts run out.
 */
export class RetryableError extends Error {
  constructor(
    readonly code: KilnErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "RetryableError";
  }
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
const TRANSIENT_MESSAGES = ["terminated", "socket hang up", "other side closed"];

/** True for RetryableError and for network failures; looks through `cause` since fetch wraps them. */
export function isRetryable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof KilnError) return false;
    if (current instanceof RetryableError) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
    if (TRANSIENT_MESSAGES.includes(current.message.toLowerCase())) return true;
    current = current.cause;
  }
  return false;
}

/** Full-jitter exponential backoff (AWS architecture blog), or the server's Retry-After, capped. */
export function retryDelayMs(error: unknown, failures: number, policy: RetryPolicy): number {
  if (error instanceof RetryableError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, policy.maxDelayMs);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** failures);
  return Math.random() * ceiling;
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export async function waitBeforeRetry(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, undefined, signal ? { signal } : undefined);
}
