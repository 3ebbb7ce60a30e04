import type { Redis } from "ioredis";
import { defineScript } from "../lib/script.js";
import type { CircuitOptions, CircuitSnapshot, CircuitState } from "../types.js";

/** Whether a worker may send to the endpoint now. */
export type CircuitDecision =
  | { readonly allowed: true; readonly probe: boolean; readonly transition?: CircuitTransition }
  | { readonly allowed: false; readonly retryAt: number };

export interface CircuitTransition {
  readonly from: CircuitState;
  readonly to: CircuitState;
}

export interface FailureRecorded {
  readonly transition?: CircuitTransition;
  /** Since when the endpoint has failed without a success (for auto-disabling). */
  readonly failingSince: number;
}

/**
 * A per-endpoint circuit breaker whose state lives in one Redis hash, changed only
 * by Lua scripts, so every worker on every machine sees and moves the same state:
 * closed → open after `failureThreshold` consecutive failures; open → half-open once
 * `cooldownMs` passed, when exactly one worker gets a probe (a lease of `probeLeaseMs`,
 * so a probe whose worker died is handed to another); half-open → closed on a success,
 * back to open on a failure.
 */
export interface CircuitBreaker {
  acquire(endpointId: string, now: number): Promise<CircuitDecision>;
  recordSuccess(endpointId: string): Promise<CircuitTransition | undefined>;
  recordFailure(endpointId: string, now: number): Promise<FailureRecorded>;
  snapshot(endpointId: string): Promise<CircuitSnapshot>;
  reset(endpointId: string): Promise<void>;
}

export interface ResolvedCircuitOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly probeLeaseMs: number;
}

export function resolveCircuitOptions(options: CircuitOptions | undefined): ResolvedCircuitOptions {
  return {
    failureThreshold: options?.failureThreshold ?? 5,
    cooldownMs: options?.cooldownMs ?? 60_000,
    probeLeaseMs: options?.probeLeaseMs ?? 60_000,
  };
}

// Replies: { decision, retryAtOrZero, fromState, toState }.
const acquireScript = defineScript(`
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'closed' then return {'allow', 0, state, state} end
local now = tonumber(ARGV[1])
if state == 'open' then
  local retryAt = tonumber(redis.call('HGET', KEYS[1], 'openedAt') or '0') + tonumber(ARGV[2])
  if now < retryAt then return {'deny', retryAt, state, state} end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'probeUntil', now + tonumber(ARGV[3]))
  return {'probe', 0, 'open', 'half_open'}
end
local probeUntil = tonumber(redis.call('HGET', KEYS[1], 'probeUntil') or '0')
if now < probeUntil then return {'deny', probeUntil, state, state} end
redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[3]))
return {'probe', 0, state, state}
`);

const successScript = defineScript(`
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
redis.call('DEL', KEYS[1])
return state
`);

// Replies: { fromState, toState, failingSince }.
const failureScript = defineScript(`
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local now = tonumber(ARGV[1])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local since = redis.call('HGET', KEYS[1], 'failingSince')
if not since then
  since = ARGV[1]
  redis.call('HSET', KEYS[1], 'failingSince', since)
end
local to = state
if state == 'half_open' or (state == 'closed' and failures >= tonumber(ARGV[2])) then
  to = 'open'
  redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', now)
  redis.call('HDEL', KEYS[1], 'probeUntil')
end
if to == 'closed' then redis.call('HSET', KEYS[1], 'state', 'closed') end
return {state, to, since}
`);

export function createCircuitBreaker(redis: Redis, keyOf: (endpointId: string) => string, options: ResolvedCircuitOptions): CircuitBreaker {
  return {
    async acquire(endpointId, now) {
      const reply = (await acquireScript(redis, [keyOf(endpointId)], [now, options.cooldownMs, options.probeLeaseMs])) as [string, number, CircuitState, CircuitState];
      const [decision, retryAt, from, to] = reply;
      if (decision === "deny") return { allowed: false, retryAt: Number(retryAt) };
      return { allowed: true, probe: decision === "probe", ...(from === to ? {} : { transition: { from, to } }) };
    },
    async recordSuccess(endpointId) {
      const from = (await successScript(redis, [keyOf(endpointId)], [])) as CircuitState;
      return from === "closed" ? undefined : { from, to: "closed" };
    },
    async recordFailure(endpointId, now) {
      const [from, to, since] = (await failureScript(redis, [keyOf(endpointId)], [now, options.failureThreshold])) as [CircuitState, CircuitState, string];
      return { failingSince: Number(since), ...(from === to ? {} : { transition: { from, to } }) };
    },
    async snapshot(endpointId) {
      const hash = await redis.hgetall(keyOf(endpointId));
      return {
        state: (hash.state as CircuitState | undefined) ?? "closed",
        consecutiveFailures: Number(hash.failures ?? 0),
        ...(hash.failingSince === undefined ? {} : { failingSince: Number(hash.failingSince) }),
        ...(hash.openedAt === undefined ? {} : { openedAt: Number(hash.openedAt) }),
      };
    },
    async reset(endpointId) {
      await redis.del(keyOf(endpointId));
    },
  };
}
