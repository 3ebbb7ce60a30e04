import { describe, expect, it } from "vitest";
import { nextDelayMs, resolveRetrySchedule, STANDARD_WEBHOOKS_RETRY_DELAYS_MS } from "./retry-schedule.js";
import { classifyAttempt } from "./classify-attempt.js";

describe("retry schedule", () => {
  it("defaults to the Standard Webhooks schedule: 10 attempts over about three days", () => {
    const schedule = resolveRetrySchedule(undefined);
    expect(schedule.attempts).toBe(10);
    expect(STANDARD_WEBHOOKS_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBe((5 + 300 + 1800 + 75 * 3600) * 1000);
    expect(nextDelayMs({ ...schedule, jitter: 0 }, 1, undefined, Math.random)).toBe(5000);
    expect(nextDelayMs({ ...schedule, jitter: 0 }, 9, undefined, Math.random)).toBe(24 * 3600 * 1000);
  });

  it("spreads each delay by the jitter, both ways", () => {
    const schedule = resolveRetrySchedule({ delaysMs: [1000], jitter: 0.2 });
    expect(nextDelayMs(schedule, 1, undefined, () => 0)).toBe(800);
    expect(nextDelayMs(schedule, 1, undefined, () => 0.999999)).toBe(1200);
  });

  it("never retries sooner than Retry-After asks, and never later than its cap", () => {
    const schedule = resolveRetrySchedule({ delaysMs: [1000], jitter: 0, maxRetryAfterMs: 60_000 });
    expect(nextDelayMs(schedule, 1, 30_000, Math.random)).toBe(30_000);
    expect(nextDelayMs(schedule, 1, 86_400_000, Math.random)).toBe(60_000);
    expect(nextDelayMs(schedule, 1, 10, Math.random)).toBe(1000);
  });

  it("refuses a bad schedule with invalid_options", () => {
    expect(() => resolveRetrySchedule({ delaysMs: [-1] })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => resolveRetrySchedule({ jitter: 1 })).toThrow(expect.objectContaining({ code: "invalid_options" }));
  });
});

describe("attempt outcomes", () => {
  it("maps responses and errors to bounded labels and verdicts", () => {
    expect(classifyAttempt({ status: 204 }).outcome).toBe("success");
    expect(classifyAttempt({ status: 410 }).verdict).toEqual({ action: "gone" });
    expect(classifyAttempt({ status: 409 }).verdict.action).toBe("give_up");
    expect(classifyAttempt({ status: 409, inProgress: true }).outcome).toBe("in_progress");
    expect(classifyAttempt({ status: 302 }).outcome).toBe("redirect");
    expect(classifyAttempt({ status: 503 }).verdict).toEqual({
      action: "retry",
      endpointFailure: true,
      honourRetryAfter: true,
    });
    expect(classifyAttempt({ status: 500 }).verdict).toEqual({
      action: "retry",
      endpointFailure: true,
      honourRetryAfter: false,
    });
    const timeout = Object.assign(new Error("late"), { name: "TimeoutError" });
    expect(classifyAttempt({ error: timeout }).outcome).toBe("timeout");
    expect(
      classifyAttempt({
        error: new Error("fetch failed", { cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }) }),
      }).outcome,
    ).toBe("dns");
    expect(classifyAttempt({ error: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) }).outcome).toBe(
      "connection_error",
    );
  });
});
