/// <reference path="./rate-limiter-memory.d.ts" />
import RateLimiterMemory from "rate-limiter-flexible/lib/RateLimiterMemory.js";
import { WebhookError } from "../errors/webhook-error.js";
import { rateLimitSettings } from "./access-options.js";
import { addressBucket } from "./ip.js";

/**
 * Anything with rate-limiter-flexible's `consume(key, points)`: resolves when
 * allowed, rejects with a result carrying `msBeforeNext` when over the limit,
 * rejects with an `Error` when its store fails. `RateLimiterRedis` fits, so
 * several instances can share one budget.
 */
export interface RateLimiter {
  /** Takes `points` (default 1) from `key`'s budget; settles as described above. */
  consume(key: string, points?: number): Promise<unknown>;
}

/**
 * Rate limiting before the signature check: a budget per tenant or client IP, so a flood costs the attacker, not the receiver.
 */
export interface RateLimitOptions {
  /** What one budget belongs to: the certificate's tenant (default when `identity` is set) or the client IP. */
  readonly by?: "tenant" | "ip";
  /** Requests allowed per `durationSeconds` (default 100). */
  readonly points?: number;
  /** Window length in seconds (default 60). */
  readonly durationSeconds?: number;
  /** Once over the limit, refuse for this long (default: until the window ends). */
  readonly blockDurationSeconds?: number;
  /** Your own limiter instead of the in-memory one (`points` and `durationSeconds` are then its business). */
  readonly limiter?: RateLimiter;
  /**
   * IPv6 clients share one budget per network of this many bits (default 64): a subscriber
   * is usually given a whole /64 and could otherwise rotate through its addresses freely.
   * 128 counts each address alone. IPv4 addresses are always counted alone.
   */
  readonly ipv6Prefix?: number;
}

const IP_KEY = "ip:";

/**
 * Consumes one point for `key` (`tenant:<name>` or `ip:<address>`, an IPv6 address counted
 * by its network); throws `rate_limited` (429, with `retryAfterSeconds`) when over the budget.
 */
export type ConsumeRateLimit = (key: string) => Promise<void>;

/** Builds the limiter once per verifier; `invalid_options` for a budget that makes no sense. */
export function createRateLimit(options: RateLimitOptions): ConsumeRateLimit {
  const { points, duration, blockDuration, ipv6Prefix } = rateLimitSettings(options);
  const limiter = options.limiter ?? new RateLimiterMemory({ points, duration, blockDuration });
  const bucketOf = (key: string): string => {
    if (!key.startsWith(IP_KEY)) return key;
    const bucket = addressBucket(key.slice(IP_KEY.length), ipv6Prefix);
    return bucket === undefined ? key : `${IP_KEY}${bucket}`;
  };
  return async (requestKey) => {
    const key = bucketOf(requestKey);
    try {
      await limiter.consume(key, 1);
    } catch (caught) {
      if (caught instanceof Error || typeof (caught as { msBeforeNext?: unknown })?.msBeforeNext !== "number") {
        // The limiter's store failed: fail closed rather than let a flood through.
        throw new WebhookError("rate_limiter_unavailable", "the rate limiter could not count the request", {
          cause: caught,
        });
      }
      const retryAfterSeconds = Math.max(1, Math.ceil((caught as { msBeforeNext: number }).msBeforeNext / 1000));
      throw new WebhookError("rate_limited", `rate limit exceeded for ${key}`, { retryAfterSeconds });
    }
  };
}
