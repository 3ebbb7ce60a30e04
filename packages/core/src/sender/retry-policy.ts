import type { RetryOptions } from "./types.js";

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 300_000,
};

/**
 * Statuses worth trying again: the receiver is overloaded or failing, not refusing.
 * A 409 that says when to come back (`Retry-After`) is a message still being
 * processed by an earlier delivery (hooksec receivers: `message_in_progress`):
 * giving up on it could lose the message if that delivery then fails.
 */
export function isRetryableStatus(status: number, hasRetryAfter = false): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599) || (status === 409 && hasRetryAfter);
}

/**
 * Exponential backoff with full jitter (a uniformly random delay up to the
 * exponential bound), so many senders retrying at once spread out.
 */
export function backoffDelay(retryNumber: number, policy: RetryPolicy, random: () => number): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * bound);
}

const HTTP_DATE = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, // IMF-fixdate
  /^[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/, // RFC 850
  /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/, // asctime
];

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay seconds or an HTTP date.
 * Returns milliseconds from `now`, capped; `undefined` when absent or malformed.
 */
export function parseRetryAfter(value: string | null, now: number, capMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // Date.parse is lenient ("Soon 2026" parses): accept only the three HTTP-date forms.
    if (!HTTP_DATE.some((form) => form.test(text))) return undefined;
    const date = Date.parse(text.endsWith("GMT") ? text : `${text} GMT`);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  if (!Number.isFinite(ms)) return capMs;
  return Math.min(capMs, Math.max(0, ms));
}

export function resolveRetryPolicy(options: RetryOptions | undefined): RetryPolicy {
  return {
    attempts: options?.attempts ?? DEFAULT_RETRY.attempts,
    baseDelayMs: options?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    maxRetryAfterMs: options?.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs,
  };
}
