/// <reference path="./rate-limiter-redis.d.ts" />
import { type RateLimiter, WebhookError } from "@hooksec/core";
import RateLimiterRedis from "rate-limiter-flexible/lib/RateLimiterRedis.js";
import { detectClientKind, type RedisClientKind, type RedisClientLike } from "./redis-client.js";
import { settleWithin } from "./settle-within.js";

const DEFAULT_PREFIX = "hooksec:rate:";
const DEFAULT_POINTS = 100;
const DEFAULT_DURATION_SECONDS = 60;
const DEFAULT_TIMEOUT_MS = 500;

/**
 * Options of {@link createRedisRateLimiter}: the client, the budget and how long to wait for Redis before failing closed.
 */
export interface RedisRateLimiterOptions {
  /** A connected ioredis (`Redis`, `Cluster`) or node-redis (`createClient()`, `createCluster()`) client. */
  readonly client: RedisClientLike;
  /** Which client API to speak. Default: detected (`status` → ioredis, `isOpen` → node-redis). */
  readonly clientKind?: RedisClientKind;
  /** Requests allowed per `durationSeconds`, per client IP or tenant, across every instance (default 100). */
  readonly points?: number;
  /** Window length in seconds (default 60). The window starts with a budget's first request. */
  readonly durationSeconds?: number;
  /** Once over the limit, refuse for this long (default: until the window ends). */
  readonly blockDurationSeconds?: number;
  /** Put before every key, to share one Redis with other data. Default `"hooksec:rate:"`. */
  readonly prefix?: string;
  /**
   * Longest wait for Redis' reply, in ms. Default 500. Past it the request is
   * refused (closed: `rate_limiter_unavailable`, 503) instead of being held.
   */
  readonly timeoutMs?: number;
}

/**
 * A rate limiter shared by every instance of a receiver: one budget per client IP
 * or tenant, counted in Redis by rate-limiter-flexible's `RateLimiterRedis` (one
 * atomic script per request). Pass it as the receiver's `rateLimit.limiter`.
 *
 * It fails closed: when Redis is down, not connected, failing or slower than
 * `timeoutMs`, the request is refused with `rate_limiter_unavailable` (503), never
 * let through (no insurance limiter). Once a budget is spent, each instance
 * refuses it on its own until the window ends, without asking Redis again.
 *
 * @example
 * import { Redis } from "ioredis";
 * const client = new Redis(process.env.REDIS_URL);
 * const receiver = createReceiver({
 *   scheme: standardWebhooks({ secret }),
 *   rateLimit: { by: "ip", limiter: createRedisRateLimiter({ client, points: 100, durationSeconds: 60 }) },
 * });
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  if (typeof options !== "object" || options === null)
    throw new WebhookError("invalid_options", "createRedisRateLimiter needs options");
  const kind = options.clientKind ?? detectClientKind(options.client);
  if (kind !== "ioredis" && kind !== "node-redis") {
    throw new WebhookError(
      "invalid_options",
      "createRedisRateLimiter needs an ioredis or node-redis `client` (or `clientKind`)",
    );
  }
  // rate-limiter-flexible registers its script on an ioredis client as a custom command.
  if (kind === "ioredis" && typeof (options.client as { defineCommand?: unknown }).defineCommand !== "function") {
    throw new WebhookError(
      "invalid_options",
      "an ioredis `client` needs defineCommand (pass the ioredis Redis or Cluster itself)",
    );
  }
  const points = positiveInteger(options.points ?? DEFAULT_POINTS, "points");
  const duration = positiveInteger(options.durationSeconds ?? DEFAULT_DURATION_SECONDS, "durationSeconds");
  const blockDuration =
    options.blockDurationSeconds === undefined
      ? 0
      : positiveInteger(options.blockDurationSeconds, "blockDurationSeconds");
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== "string") throw new WebhookError("invalid_options", "prefix must be a string");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new WebhookError("invalid_options", "timeoutMs must be a positive number");
  }

  const limiter = new RateLimiterRedis({
    storeClient: options.client,
    useRedisPackage: kind === "node-redis",
    // Our prefix is put before the key as is (rate-limiter-flexible would add a ":").
    keyPrefix: "",
    points,
    duration,
    blockDuration,
    // A disconnected client refuses at once (fail closed now) rather than queueing
    // the command and counting it after the request was refused.
    rejectIfRedisNotReady: true,
    // Once a budget is spent (points + 1 counted), this instance refuses it by itself
    // until the window ends: a flood from one client costs Redis nothing more. Not
    // with a block: rate-limiter-flexible would then skip writing the block to Redis.
    inMemoryBlockOnConsumed: blockDuration === 0 ? points + 1 : 0,
    // No insuranceLimiter: a Redis failure must refuse (503), not fall back to a
    // per-process budget that lets N times the limit through.
  });

  return {
    async consume(key: string, count = 1): Promise<unknown> {
      let pending: Promise<unknown>;
      try {
        pending = limiter.consume(prefix + key, count);
      } catch (error) {
        pending = Promise.reject(error);
      }
      const outcome = await settleWithin(pending, timeoutMs);
      if (outcome.type === "reply") return outcome.value;
      // Over the limit: rate-limiter-flexible's result (not an Error, with `msBeforeNext`) → 429.
      // Anything else (a client error) → the core answers rate_limiter_unavailable (503).
      if (outcome.type === "failed") throw outcome.error;
      throw new Error(`Redis rate limiter: no reply within ${timeoutMs} ms`);
    },
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new WebhookError("invalid_options", `${name} must be a positive integer`);
  return value;
}
