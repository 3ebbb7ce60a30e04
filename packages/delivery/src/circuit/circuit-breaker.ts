import type { Redis } from "ioredis";
import { defineScript, type ScriptReply } from "../lib/script.js";
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

/**
 * The state machine as Lua functions: the breaker's own scripts call them, and the
 * worker's attempt scripts (`attempts/attempt-store.ts`) include them, so an attempt
 * reads or moves the circuit in the same round trip as its other bookkeeping.
 */
export const CIRCUIT_LUA = `
-- Replies: { decision, retryAtOrZero, fromState, toState }.
local function circuit_acquire(key, now, cooldownMs, probeLeaseMs)
  local state = redis.call('HGET', key, 'state') or 'closed'
  if state == 'closed' then return {'allow', 0, state, state} end
  if state == 'open' then
    local retryAt = tonumber(redis.call('HGET', key, 'openedAt') or '0') + cooldownMs
    if now < retryAt then return {'deny', retryAt, state, state} end
    redis.call('HSET', key, 'state', 'half_open', 'probeUntil', now + probeLeaseMs)
    return {'probe', 0, 'open', 'half_open'}
  end
  local probeUntil = tonumber(redis.call('HGET', key, 'probeUntil') or '0')
  if now < probeUntil then return {'deny', probeUntil, state, state} end
  redis.call('HSET', key, 'probeUntil', now + probeLeaseMs)
  return {'probe', 0, state, state}
end

-- Replies the state it closed from. A closed circuit without failures has no hash: nothing to write.
local function circuit_success(key)
  local state = redis.call('HGET', key, 'state')
  if state == false then
    if redis.call('EXISTS', key) == 1 then redis.call('DEL', key) end
    return 'closed'
  end
  redis.call('DEL', key)
  return state
end

-- Replies: { fromState, toState, failingSince }.
local function circuit_failure(key, nowText, failureThreshold)
  local now = tonumber(nowText)
  local state = redis.call('HGET', key, 'state') or 'closed'
  local failures = redis.call('HINCRBY', key, 'failures', 1)
  local since = redis.call('HGET', key, 'failingSince')
  if not since then
    since = nowText
    redis.call('HSET', key, 'failingSince', since)
  end
  local to = state
  if state == 'half_open' or (state == 'closed' and failures >= failureThreshold) then
    to = 'open'
    redis.call('HSET', key, 'state', 'open', 'openedAt', now)
    redis.call('HDEL', key, 'probeUntil')
  end
  if to == 'closed' then redis.call('HSET', key, 'state', 'closed') end
  return {state, to, since}
end
`;

const acquireScript = defineScript(`${CIRCUIT_LUA}
return circuit_acquire(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
`);

const successScript = defineScript(`${CIRCUIT_LUA}
return circuit_success(KEYS[1])
`);

const failureScript = defineScript(`${CIRCUIT_LUA}
return circuit_failure(KEYS[1], ARGV[1], tonumber(ARGV[2]))
`);

/** The reply of `circuit_acquire` as a decision. */
export function decisionOf(reply: ScriptReply): CircuitDecision {
  const [decision, retryAt, from, to] = reply as [string, number, CircuitState, CircuitState];
  if (decision === "deny") return { allowed: false, retryAt: Number(retryAt) };
  return { allowed: true, probe: decision === "probe", ...(from === to ? {} : { transition: { from, to } }) };
}

/** The reply of `circuit_success`: the transition to closed, if it was not closed. */
export function closedFrom(reply: ScriptReply): CircuitTransition | undefined {
  const from = reply as CircuitState;
  return from === "closed" ? undefined : { from, to: "closed" };
}

/** The reply of `circuit_failure`. */
export function failureOf(reply: ScriptReply): FailureRecorded {
  const [from, to, since] = reply as [CircuitState, CircuitState, string];
  return { failingSince: Number(since), ...(from === to ? {} : { transition: { from, to } }) };
}

export function createCircuitBreaker(
  redis: Redis,
  keyOf: (endpointId: string) => string,
  options: ResolvedCircuitOptions,
): CircuitBreaker {
  return {
    acquire: async (endpointId, now) =>
      decisionOf(await acquireScript(redis, [keyOf(endpointId)], [now, options.cooldownMs, options.probeLeaseMs])),
    recordSuccess: async (endpointId) => closedFrom(await successScript(redis, [keyOf(endpointId)], [])),
    recordFailure: async (endpointId, now) =>
      failureOf(await failureScript(redis, [keyOf(endpointId)], [now, options.failureThreshold])),
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
