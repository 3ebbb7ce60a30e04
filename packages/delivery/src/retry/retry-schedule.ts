import { WebhookError } from "@hooksec/core";
import type { RetryScheduleOptions } from "../types.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The Standard Webhooks recommendation: immediately, then 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 14 h, 20 h and 24 h after each failure (10 attempts over about 3 days).
 */
export const STANDARD_WEBHOOKS_RETRY_DELAYS_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  14 * HOUR,
  20 * HOUR,
  24 * HOUR,
];

export interface RetrySchedule {
  readonly delaysMs: readonly number[];
  /** Attempts in total, the first included. */
  readonly attempts: number;
  readonly jitter: number;
  readonly maxRetryAfterMs: number;
}

export function resolveRetrySchedule(options: RetryScheduleOptions | undefined): RetrySchedule {
  const delaysMs = options?.delaysMs ?? STANDARD_WEBHOOKS_RETRY_DELAYS_MS;
  if (
    !Array.isArray(delaysMs) ||
    delaysMs.some((delay) => typeof delay !== "number" || !Number.isFinite(delay) || delay < 0)
  ) {
    throw new WebhookError("invalid_options", "retry.delaysMs must be a list of non-negative milliseconds");
  }
  const jitter = options?.jitter ?? 0.1;
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter < 1))
    throw new WebhookError("invalid_options", "retry.jitter must be in [0, 1)");
  const maxRetryAfterMs = options?.maxRetryAfterMs ?? HOUR;
  if (typeof maxRetryAfterMs !== "number" || !(maxRetryAfterMs >= 0)) {
    throw new WebhookError("invalid_options", "retry.maxRetryAfterMs must be non-negative milliseconds");
  }
  return { delaysMs: [...delaysMs], attempts: delaysMs.length + 1, jitter, maxRetryAfterMs };
}

/**
 * Milliseconds before the attempt after `attemptsMade` failed ones: the schedule's
 * delay spread by the jitter, and never sooner than a `Retry-After` the receiver
 * asked for (capped), so overload is respected and the schedule is never shortened.
 */
export function nextDelayMs(
  schedule: RetrySchedule,
  attemptsMade: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const base = schedule.delaysMs[Math.min(attemptsMade, schedule.delaysMs.length) - 1] ?? 0;
  const spread = base * schedule.jitter * (2 * random() - 1);
  const scheduled = Math.max(0, Math.round(base + spread));
  if (retryAfterMs === undefined) return scheduled;
  return Math.max(scheduled, Math.min(retryAfterMs, schedule.maxRetryAfterMs));
}
