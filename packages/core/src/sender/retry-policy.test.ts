import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter } from "./retry-policy.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads delay seconds and HTTP dates, capped", () => {
    expect(parseRetryAfter("3", now, 60_000)).toBe(3000);
    expect(parseRetryAfter("0", now, 60_000)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now, 60_000)).toBe(10_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now, 60_000)).toBe(0);
    expect(parseRetryAfter("Thursday, 01-Jan-26 00:00:20 GMT", now, 60_000)).toBe(20_000);
    expect(parseRetryAfter("Thu Jan  1 00:00:30 2026", now, 60_000)).toBe(30_000);
    expect(parseRetryAfter("86400", now, 60_000)).toBe(60_000);
    expect(parseRetryAfter("9".repeat(400), now, 60_000)).toBe(60_000);
  });

  it("ignores an absent or malformed value", () => {
    for (const value of [null, "", "-1", "1.5", "soon", "12abc", "Soon 2026"]) {
      expect(parseRetryAfter(value, now, 60_000)).toBeUndefined();
    }
  });

  it("never returns a delay outside [0, cap]", () => {
    fc.assert(
      fc.property(fc.string(), fc.nat({ max: 1_000_000 }), (value, cap) => {
        const ms = parseRetryAfter(value, now, cap);
        if (ms !== undefined) expect(ms >= 0 && ms <= cap).toBe(true);
      }),
    );
  });
});

describe("backoffDelay", () => {
  it("is full jitter under an exponential bound capped at maxDelayMs", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (retry, random) => {
          const delay = backoffDelay(retry, DEFAULT_RETRY, () => random);
          const bound = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (retry - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(bound);
        },
      ),
    );
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0.5)).toBe(2000);
  });
});

describe("isRetryableStatus", () => {
  it("retries 408, 429 and 5xx only", () => {
    expect([408, 429, 500, 502, 503, 599].every((status) => isRetryableStatus(status))).toBe(true);
    expect([200, 301, 400, 401, 403, 404, 409, 410, 422].some((status) => isRetryableStatus(status))).toBe(false);
    // A receiver still processing the message says when to come back: retried, never dropped.
    expect(isRetryableStatus(409, true)).toBe(true);
  });
});
