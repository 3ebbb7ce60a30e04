import type { Redis } from "ioredis";
import type { DeliveryKeys } from "../lib/keys.js";
import type { DeadLetter } from "../types.js";

/** Which dead letters `deadLetters.list` returns: by endpoint and time range, at most `limit`. */
export interface DeadLetterQuery {
  readonly endpointId?: string;
  /** Milliseconds since the epoch; only dead letters from then on. */
  readonly since?: number;
  readonly until?: number;
  /** Default 100. */
  readonly limit?: number;
}

/**
 * Deliveries that gave up, indexed by time, by endpoint and by message. The job itself
 * (its payload and id) stays in BullMQ's failed set for the same retention, which is
 * what a redelivery moves back to the queue.
 */
export interface DeadLetterStore {
  add(jobId: string, letter: DeadLetter): Promise<void>;
  has(jobId: string): Promise<boolean>;
  get(jobId: string): Promise<DeadLetter | undefined>;
  list(query: DeadLetterQuery): Promise<Array<DeadLetter & { jobId: string }>>;
  jobsOfMessage(messageId: string): Promise<string[]>;
  remove(jobId: string, letter: DeadLetter): Promise<void>;
}

export function createDeadLetterStore(
  redis: Redis,
  keys: DeliveryKeys,
  retentionMs: number,
  now: () => number,
): DeadLetterStore {
  const retentionSeconds = Math.max(1, Math.ceil(retentionMs / 1000));

  async function get(jobId: string): Promise<DeadLetter | undefined> {
    const json = await redis.get(keys.deadLetter(jobId));
    return json === null ? undefined : (JSON.parse(json) as DeadLetter);
  }

  return {
    async add(jobId, letter) {
      const cutoff = now() - retentionMs;
      await redis
        .multi()
        .set(keys.deadLetter(jobId), JSON.stringify(letter), "EX", retentionSeconds)
        .zadd(keys.deadLetters(), letter.at, jobId)
        .zadd(keys.deadLettersOfEndpoint(letter.endpointId), letter.at, jobId)
        .sadd(keys.deadLettersOfMessage(letter.messageId), jobId)
        .expire(keys.deadLettersOfMessage(letter.messageId), retentionSeconds)
        // Retention: the indexes forget what the records already forgot.
        .zremrangebyscore(keys.deadLetters(), "-inf", cutoff)
        .zremrangebyscore(keys.deadLettersOfEndpoint(letter.endpointId), "-inf", cutoff)
        .exec();
    },
    has: async (jobId) => (await redis.exists(keys.deadLetter(jobId))) === 1,
    get,
    async list(query) {
      const key = query.endpointId === undefined ? keys.deadLetters() : keys.deadLettersOfEndpoint(query.endpointId);
      const since = Math.max(query.since ?? 0, now() - retentionMs);
      const jobIds = await redis.zrangebyscore(key, since, query.until ?? "+inf", "LIMIT", 0, query.limit ?? 100);
      if (jobIds.length === 0) return [];
      const values = await redis.mget(...jobIds.map((jobId) => keys.deadLetter(jobId)));
      const letters: Array<DeadLetter & { jobId: string }> = [];
      values.forEach((json, index) => {
        const jobId = jobIds[index];
        if (json !== null && json !== undefined && jobId !== undefined)
          letters.push({ ...(JSON.parse(json) as DeadLetter), jobId });
      });
      return letters;
    },
    jobsOfMessage: (messageId) => redis.smembers(keys.deadLettersOfMessage(messageId)),
    async remove(jobId, letter) {
      await redis
        .multi()
        .del(keys.deadLetter(jobId))
        .zrem(keys.deadLetters(), jobId)
        .zrem(keys.deadLettersOfEndpoint(letter.endpointId), jobId)
        .srem(keys.deadLettersOfMessage(letter.messageId), jobId)
        .exec();
    },
  };
}
