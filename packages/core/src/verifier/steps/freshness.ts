import { WebhookError } from "../../errors/webhook-error.js";

export interface FreshnessWindow {
  readonly pastMs: number;
  readonly futureMs: number;
}

/**
 * Step 3: a signed timestamp is fresh when `now - pastSeconds <= timestamp <= now + futureSeconds`,
 * both bounds inclusive. A timestamp that is not a real date (a number too large
 * for one, NaN) is malformed: every comparison with it would be false, and it
 * would pass at any clock.
 */
export function checkFreshness(timestamp: Date, now: number, window: FreshnessWindow): void {
  const time = timestamp.getTime();
  if (!Number.isFinite(time)) throw new WebhookError("malformed_header", "the signed timestamp is not a valid date");
  const age = now - time;
  if (age > window.pastMs) throw new WebhookError("timestamp_too_old", `timestamp is ${Math.round(age / 1000)}s old`);
  if (-age > window.futureMs) {
    throw new WebhookError("timestamp_in_future", `timestamp is ${Math.round(-age / 1000)}s in the future`);
  }
}
