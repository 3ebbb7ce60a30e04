import { WebhookError } from "../errors/webhook-error.js";

export interface FreshnessWindow {
  readonly pastMs: number;
  readonly futureMs: number;
}

/**
 * A signed timestamp is fresh when `now - pastSeconds <= timestamp <= now + futureSeconds`,
 * both bounds inclusive.
 */
export function checkFreshness(timestamp: Date, now: number, window: FreshnessWindow): void {
  const age = now - timestamp.getTime();
  if (age > window.pastMs) throw new WebhookError("timestamp_too_old", `timestamp is ${Math.round(age / 1000)}s old`);
  if (-age > window.futureMs) {
    throw new WebhookError("timestamp_in_future", `timestamp is ${Math.round(-age / 1000)}s in the future`);
  }
}
