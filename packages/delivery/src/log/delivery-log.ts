import type { Redis } from "ioredis";
import type { DeliveryKeys } from "../lib/keys.js";
import type { AttemptRecord } from "../types.js";

export interface DeliveryLogOptions {
  readonly retentionMs: number;
  readonly maxPerEndpoint: number;
}

/**
 * Every attempt, per message (a list that expires with the retention) and per
 * endpoint (a sorted set by time, trimmed by age and count on every write).
 */
export interface DeliveryLog {
  record(attempt: AttemptRecord): Promise<void>;
  ofMessage(messageId: string): Promise<AttemptRecord[]>;
  ofEndpoint(endpointId: string, query?: { since?: number; limit?: number }): Promise<AttemptRecord[]>;
}

export function createDeliveryLog(redis: Redis, keys: DeliveryKeys, options: DeliveryLogOptions, now: () => number): DeliveryLog {
  const retentionSeconds = Math.max(1, Math.ceil(options.retentionMs / 1000));
  return {
    async record(attempt) {
      const json = JSON.stringify(attempt);
      const byEndpoint = keys.logOfEndpoint(attempt.endpointId);
      await redis
        .multi()
        .rpush(keys.logOfMessage(attempt.messageId), json)
        .expire(keys.logOfMessage(attempt.messageId), retentionSeconds)
        .zadd(byEndpoint, attempt.at, json)
        .zremrangebyscore(byEndpoint, "-inf", now() - options.retentionMs)
        .zremrangebyrank(byEndpoint, 0, -options.maxPerEndpoint - 1)
        .expire(byEndpoint, retentionSeconds)
        .exec();
    },
    async ofMessage(messageId) {
      return (await redis.lrange(keys.logOfMessage(messageId), 0, -1)).map((json) => JSON.parse(json) as AttemptRecord);
    },
    async ofEndpoint(endpointId, query = {}) {
      const since = Math.max(query.since ?? 0, now() - options.retentionMs);
      const entries = await redis.zrevrangebyscore(keys.logOfEndpoint(endpointId), "+inf", since, "LIMIT", 0, query.limit ?? 100);
      return entries.map((json) => JSON.parse(json) as AttemptRecord);
    },
  };
}
