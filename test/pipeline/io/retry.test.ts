import { describe, expect, it } from "vitest";
import { RetryableError, isRetryable, parseRetryAfter, retryDelayMs } from "../../../core/io/retry.js";
import { KilnError } from "../../../core/errors.js";

describe("retry timing", () => {
  const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it("draws full-jitter delays below base * 2^failures, capped", () => {
    for (let failures = 0; failures < 8; failures++) {
      const ceiling = Math.min(1000, 100 * 2 ** failures);
      for (let draw = 0; draw < 50; draw++) {
        const delay = retryDelayMs(new Error("ECONNRESET"), failures, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  it("honours Retry-After in seconds or as a date, capped at maxDelayMs", () => {
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter("7")).toBe(7000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    const now = Date.parse("Tue, 01 Dec 2026 12:00:00 GMT");
    expect(parseRetryAfter("Tue, 01 Dec 2026 12:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Tue, 01 Dec 2026 11:59:00 GMT", now)).toBe(0);
    expect(retryDelayMs(new RetryableError("http_error", "503", 300), 4, policy)).toBe(300);
    expect(retryDelayMs(new RetryableError("http_error", "503", 60_000), 0, policy)).toBe(1000);
  });
});

describe("isRetryable", () => {
  it("looks through fetch's wrapping for transient network failures", () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    expect(isRetryable(new TypeError("fetch failed", { cause: reset }))).toBe(true);
    expect(isRetryable(new TypeError("terminated"))).toBe(true);
    expect(isRetryable(new Error("socket hang up"))).toBe(true);
    expect(isRetryable(new RetryableError("http_error", "HTTP 503"))).toBe(true);
    expect(isRetryable(new KilnError("http_error", "HTTP 404"))).toBe(false);
    // The S3 SDK has retried already: its final failure is not retried again.
    expect(isRetryable(Object.assign(new KilnError("s3_error", "gave up"), { cause: reset }))).toBe(false);
    expect(isRetryable(new Error("incorrect header check"))).toBe(false);
  });
});
