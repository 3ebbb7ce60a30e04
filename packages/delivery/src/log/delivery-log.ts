import type { Redis } from "ioredis";
import type { DeliveryKeys } from "../lib/keys.js";
import type { AttemptRecord } from "../types.js";

export interface DeliveryLogOptions {
  readonly retentionMs: number;
  readonly maxPerEndpoint: number;
}

/**
 * Appends one attempt, per message (a list that expires with the retention) and per
 * endpoint (a sorted set by time, trimmed by age and count on every write). Written by
 * the worker's attempt script (`attempts/attempt-store.ts`) in the same round trip as
 * the circuit's update.
 */
export const LOG_LUA = `
local function log_append(messageKey, endpointKey, json, at, retentionSeconds, cutoff, maxPerEndpoint)
  redis.call('RPUSH', messageKey, json)
  redis.call('EXPIRE', messageKey, retentionSeconds)
  redis.call('ZADD', endpointKey, at, json)
  redis.call('ZREMRANGEBYSCORE', endpointKey, '-inf', cutoff)
  if redis.call('ZCARD', endpointKey) > maxPerEndpoint then
    redis.call('ZREMRANGEBYRANK', endpointKey, 0, -maxPerEndpoint - 1)
  end
  redis.call('EXPIRE', endpointKey, retentionSeconds)
end
`;

/** How many arguments `log_append` takes after its two keys. */
export const LOG_APPEND_ARGS = 5;

/** The arguments `log_append` takes after its two keys, for one attempt. */
export function logAppendArgs(
  attempt: AttemptRecord,
  options: DeliveryLogOptions,
  now: number,
): [string, number, number, number, number] {
  const retentionSeconds = Math.max(1, Math.ceil(options.retentionMs / 1000));
  return [JSON.stringify(attempt), attempt.at, retentionSeconds, now - options.retentionMs, options.maxPerEndpoint];
}

/** Reads the attempts, by message and by endpoint. */
export interface DeliveryLog {
  ofMessage(messageId: string): Promise<AttemptRecord[]>;
  ofEndpoint(endpointId: string, query?: { since?: number; limit?: number }): Promise<AttemptRecord[]>;
}

export function createDeliveryLog(
  redis: Redis,
  keys: DeliveryKeys,
  options: DeliveryLogOptions,
  now: () => number,
): DeliveryLog {
  return {
    async ofMessage(messageId) {
      return (await redis.lrange(keys.logOfMessage(messageId), 0, -1)).map((json) => JSON.parse(json) as AttemptRecord);
    },
    async ofEndpoint(endpointId, query = {}) {
      const since = Math.max(query.since ?? 0, now() - options.retentionMs);
      const entries = await redis.zrevrangebyscore(
        keys.logOfEndpoint(endpointId),
        "+inf",
        since,
        "LIMIT",
        0,
        query.limit ?? 100,
      );
      return entries.map((json) => JSON.parse(json) as AttemptRecord);
    },
  };
}
