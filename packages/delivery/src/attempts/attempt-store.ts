import type { Redis } from "ioredis";
import {
  CIRCUIT_LUA,
  type CircuitDecision,
  type CircuitTransition,
  closedFrom,
  decisionOf,
  type FailureRecorded,
  failureOf,
  type ResolvedCircuitOptions,
} from "../circuit/circuit-breaker.js";
import type { DeliveryKeys } from "../lib/keys.js";
import { defineScript, type ScriptReply } from "../lib/script.js";
import { type DeliveryLogOptions, LOG_APPEND_ARGS, LOG_LUA, logAppendArgs } from "../log/delivery-log.js";
import type { AttemptRecord, DisabledReason } from "../types.js";

// One round trip before the send: the endpoint, its disabled flag and the circuit's
// decision. A removed or disabled endpoint does not touch the circuit (no probe taken).
// Replies: { record | nil, disabled | nil, decision... }.
const beginScript = defineScript(`${CIRCUIT_LUA}
local record = redis.call('GET', KEYS[1])
local disabled = redis.call('GET', KEYS[2])
if not record or disabled then return {record, disabled} end
local decision = circuit_acquire(KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return {record, false, decision}
`);

// One round trip after the send: the log entry and the circuit's update.
// ARGV: the log_append arguments, then the health ('success', 'failure' or 'none'), now, failureThreshold.
const finishScript = defineScript(`${CIRCUIT_LUA}${LOG_LUA}
log_append(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]))
local health = ARGV[${LOG_APPEND_ARGS + 1}]
if health == 'success' then return {circuit_success(KEYS[3])} end
if health == 'failure' then return circuit_failure(KEYS[3], ARGV[${LOG_APPEND_ARGS + 2}], tonumber(ARGV[${LOG_APPEND_ARGS + 3}])) end
return false
`);

interface AttemptStart {
  /** The endpoint record as stored (JSON), absent when it was removed. */
  readonly recordJson: string | undefined;
  readonly disabled: { readonly reason: DisabledReason; readonly at: number } | undefined;
  /** Absent when the endpoint is removed or disabled. */
  readonly decision: CircuitDecision | undefined;
}

/** How an attempt counts toward its endpoint's health. */
type AttemptHealth = "success" | "failure" | "none";

interface AttemptFinish {
  readonly closed?: CircuitTransition;
  readonly failure?: FailureRecorded;
}

/**
 * A worker's Redis bookkeeping around one attempt, in two round trips: `begin` reads the
 * endpoint and takes the circuit's decision; `finish` logs the attempt and moves the
 * circuit. Both are single Lua scripts, atomic, so the circuit shared by every worker
 * stays exactly the state machine of `circuit/circuit-breaker.ts`.
 */
export interface AttemptStore {
  begin(endpointId: string, now: number): Promise<AttemptStart>;
  finish(attempt: AttemptRecord, health: AttemptHealth, now: number): Promise<AttemptFinish>;
}

export function createAttemptStore(
  redis: Redis,
  keys: DeliveryKeys,
  circuit: ResolvedCircuitOptions,
  log: DeliveryLogOptions,
): AttemptStore {
  return {
    async begin(endpointId, now) {
      const keyList = [keys.endpoint(endpointId), keys.disabled(endpointId), keys.circuit(endpointId)];
      const [record, disabled, decision] = (await beginScript(redis, keyList, [
        now,
        circuit.cooldownMs,
        circuit.probeLeaseMs,
      ])) as [string | null, string | null, ScriptReply | undefined];
      return {
        recordJson: record ?? undefined,
        disabled: disabled === null ? undefined : (JSON.parse(disabled) as { reason: DisabledReason; at: number }),
        decision: decision === undefined || decision === null ? undefined : decisionOf(decision),
      };
    },
    async finish(attempt, health, now) {
      const keyList = [
        keys.logOfMessage(attempt.messageId),
        keys.logOfEndpoint(attempt.endpointId),
        keys.circuit(attempt.endpointId),
      ];
      const reply = await finishScript(redis, keyList, [
        ...logAppendArgs(attempt, log, now),
        health,
        now,
        circuit.failureThreshold,
      ]);
      if (health === "failure") return { failure: failureOf(reply) };
      const closed = health === "success" ? closedFrom((reply as ScriptReply[])[0] ?? "closed") : undefined;
      return closed === undefined ? {} : { closed };
    },
  };
}
