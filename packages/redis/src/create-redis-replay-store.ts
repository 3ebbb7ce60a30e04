import { createHash } from "node:crypto";
import { type ClaimResult, type ReplayStore, WebhookError } from "@hooksec/core";
import { detectClientKind, type RedisClientKind, type RedisClientLike, type RedisScript, redisCommands } from "./redis-client.js";
import { type RedisReplayOperation, RedisReplayStoreError, type RedisReplayStoreFailure } from "./redis-replay-store-error.js";

// The processing state machine of `ReplayStore`, one Redis string per message:
//
//   absent             unknown, released, or lapsed (the key's PX expired)
//   "p" + token        processing: the lease of the claim that got `token`; PX = the lease
//   "c" + token        completed by the claim that got `token`; PX = the retention
//
// Each operation is one Lua script on that one key (so it runs atomically, and on
// Redis Cluster too) sent as one EVALSHA: one round trip.

/**
 * `claim(KEYS[1], token, leaseMs)`. Replies -1: acquired (also when the key already
 * holds this very claim: ioredis re-sends a command cut off by a reconnection,
 * and its first send may have landed); -2: completed; -3: the key holds something
 * that is not a hooksec state; n >= 0: in progress, the lease ends in n ms.
 */
const CLAIM_LUA = `local held = redis.call("GET", KEYS[1])
if not held then
  redis.call("SET", KEYS[1], "p" .. ARGV[1], "PX", ARGV[2])
  return -1
end
local state = string.sub(held, 1, 1)
if state == "c" then return -2 end
if state ~= "p" then return -3 end
if held == "p" .. ARGV[1] then return -1 end
local left = redis.call("PTTL", KEYS[1])
if left < 0 then return -3 end
return left`;

/**
 * `renew(KEYS[1], token, leaseMs)`: 1 when the lease is this claim's (extended;
 * a completion of this claim stays completed) or nobody holds the key since it
 * lapsed (taken again), 0 when another claim holds or completed it.
 */
const RENEW_LUA = `local held = redis.call("GET", KEYS[1])
if not held then
  redis.call("SET", KEYS[1], "p" .. ARGV[1], "PX", ARGV[2])
  return 1
end
if held == "p" .. ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return 1
end
if held == "c" .. ARGV[1] then return 1 end
return 0`;

/** `complete(KEYS[1], token, retainMs)`: the same rule as renew; the key becomes completed for retainMs. */
const COMPLETE_LUA = `local held = redis.call("GET", KEYS[1])
if held and held ~= "p" .. ARGV[1] and held ~= "c" .. ARGV[1] then return 0 end
redis.call("SET", KEYS[1], "c" .. ARGV[1], "PX", ARGV[2])
return 1`;

/** `release(KEYS[1], token)`: deletes the key only while it is this claim's processing lease. */
const RELEASE_LUA = `if redis.call("GET", KEYS[1]) == "p" .. ARGV[1] then
  redis.call("DEL", KEYS[1])
  return 1
end
return 0`;

function script(source: string): RedisScript {
  return { source, sha1: createHash("sha1").update(source).digest("hex") };
}

/** The four Lua scripts (source and SHA-1), e.g. to `SCRIPT LOAD` them ahead or to audit them. */
export const REDIS_REPLAY_SCRIPTS: Readonly<Record<RedisReplayOperation, RedisScript>> = Object.freeze({
  claim: script(CLAIM_LUA),
  renew: script(RENEW_LUA),
  complete: script(COMPLETE_LUA),
  release: script(RELEASE_LUA),
});

const DEFAULT_PREFIX = "hooksec:replay:";
const DEFAULT_TIMEOUT_MS = 500;
/** How often a claim or completion whose reply was lost is sent again (release / complete), while Redis is away. */
const RETRY_FIRST_DELAY_MS = 100;
const RETRY_MAX_DELAY_MS = 1000;
/** How many messages may wait for such a retry at once, per store. */
const MAX_RETRYING = 10_000;
/** How long a lost completion is sent again at most: an outage longer than this is an incident of its own. */
const MAX_COMPLETE_RETRY_MS = 3_600_000;
const COMPLETED: ClaimResult = Object.freeze({ state: "completed" });

export interface RedisReplayStoreOptions {
  /** A connected ioredis (`Redis`, `Cluster`) or node-redis (`createClient()`, `createCluster()`) client. */
  readonly client: RedisClientLike;
  /** Which client API to speak. Default: detected (`status` → ioredis, `isOpen` → node-redis). */
  readonly clientKind?: RedisClientKind;
  /** Put before every key, to share one Redis with other data. Default `"hooksec:replay:"`. */
  readonly prefix?: string;
  /**
   * Longest wait for one Redis reply, in ms. Default 500. Past it the operation
   * fails (closed: `replay_store_unavailable`, 503) instead of holding the request.
   */
  readonly timeoutMs?: number;
  /** Shortest expiry the store sets (lease or retention), in ms. Default 1 (the asked time, rounded up). */
  readonly minTtlMs?: number;
  /**
   * DANGER: when Redis fails or times out, carry on as if it had answered yes
   * (a claim is acquired, a renewal or completion held), so a duplicate may be
   * processed. Default `false` (fail closed). Every such failure is still passed to `onError`.
   */
  readonly failOpen?: boolean;
  /** Receives every Redis failure (for logs and alerts), whether it failed closed or open. Errors it throws are ignored. */
  readonly onError?: (error: RedisReplayStoreError) => void;
}

type Outcome =
  | { readonly type: "reply"; readonly value: unknown }
  | { readonly type: "failed"; readonly error: unknown }
  | { readonly type: "timeout" };

/**
 * A `ReplayStore` on Redis, shared by every instance of a receiver: each
 * operation of the processing state machine is one atomic Lua script on the
 * message's one key (one round trip), fenced by the claim's token, so a late
 * renewal, completion or release from a lapsed lease never overwrites a newer
 * claim. Redis errors and timeouts fail closed: the receiver answers
 * `replay_store_unavailable` (503) and the sender retries later.
 *
 * Run it on a Redis with `maxmemory-policy noeviction`: an evicted key is a
 * forgotten message (see the README).
 *
 * @example
 * import { Redis } from "ioredis";
 * const store = createRedisReplayStore({ client: new Redis(process.env.REDIS_URL) });
 * const receiver = createReceiver({ scheme: standardWebhooks({ secret }), replay: { store } });
 */
export function createRedisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const kind = options.clientKind ?? detectClientKind(options.client);
  if (kind !== "ioredis" && kind !== "node-redis") {
    throw new WebhookError("invalid_options", "createRedisReplayStore needs an ioredis or node-redis `client` (or `clientKind`)");
  }
  const commands = redisCommands(options.client, kind);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== "string") throw new WebhookError("invalid_options", "prefix must be a string");
  const timeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs");
  const minTtlMs = Math.ceil(positive(options.minTtlMs ?? 1, "minTtlMs"));
  const failOpen = options.failOpen === true;
  const { onError } = options;
  // A token only has to differ from every other claimant's: 128 random bits per
  // store and a counter, without a CSPRNG call per claim.
  const instance = randomHex(16);
  let counter = 0;

  const expiry = (ms: number, name: string): string => String(Math.max(Math.ceil(nonNegative(ms, name)), minTtlMs));

  function failure(operation: RedisReplayOperation, reason: RedisReplayStoreFailure, key: string, cause: unknown): RedisReplayStoreError {
    const what = reason === "timeout" ? `no reply within ${timeoutMs} ms` : reason === "unexpected_reply" ? "unexpected reply" : "command failed";
    const error = new RedisReplayStoreError({ operation, reason, key, failedOpen: failOpen }, `Redis replay ${operation} of ${key}: ${what}`, {
      cause,
    });
    if (onError !== undefined) {
      try {
        onError(error);
      } catch {
        // A logging hook must not change the outcome.
      }
    }
    return error;
  }

  /**
   * Runs one operation's script within the timeout; a reply `accept` does not
   * know is an `unexpected_reply`. `late` is the command itself, still running
   * after a timeout: whatever follows up on it waits for it to settle, so that
   * nothing overtakes it on the connection (a NOSCRIPT answer sends it again as
   * EVAL, behind whatever was queued after it).
   */
  async function run<T>(
    operation: RedisReplayOperation,
    key: string,
    args: string[],
    accept: (reply: unknown) => T | undefined,
  ): Promise<{ ok: true; value: T } | { ok: false; error: RedisReplayStoreError; late: Promise<unknown> }> {
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(commands.runScript(REDIS_REPLAY_SCRIPTS[operation], key, args));
    } catch (error) {
      pending = Promise.reject(error);
    }
    const outcome = await settleWithin(pending, timeoutMs);
    if (outcome.type === "reply") {
      const value = accept(outcome.value);
      if (value !== undefined) return { ok: true, value };
      return { ok: false, error: failure(operation, "unexpected_reply", key, outcome.value), late: pending };
    }
    if (outcome.type === "timeout") return { ok: false, error: failure(operation, "timeout", key, undefined), late: pending };
    return { ok: false, error: failure(operation, "command_failed", key, outcome.error), late: pending };
  }

  // Sends `operation` again, in the background, until Redis answers: for a claim
  // whose reply never came (a release) and a completion whose reply never came
  // (the completion again). Both are fenced by the token, so a late one changes
  // nothing once somebody else holds the key. It starts once the lost command
  // settled; while Redis is away it is tried again at most every second, until
  // `untilMs` from now (when it no longer matters). One try
  // at a time per message, and a bound on how many messages wait.
  let retrying = 0;
  function retryInBackground(operation: "release" | "complete", key: string, args: string[], untilMs: number): void {
    if (retrying >= MAX_RETRYING) return;
    retrying++;
    const giveUpAt = Date.now() + untilMs;
    let delay = RETRY_FIRST_DELAY_MS;
    const tryOnce = (): void => {
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(commands.runScript(REDIS_REPLAY_SCRIPTS[operation], key, args));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        () => {
          retrying--;
        },
        () => {
          if (Date.now() + delay >= giveUpAt) {
            retrying--;
            return;
          }
          const timer: unknown = setTimeout(tryOnce, delay);
          // Never keep a process alive just for this.
          (timer as { unref?: () => void }).unref?.();
          delay = Math.min(delay * 2, RETRY_MAX_DELAY_MS);
        },
      );
    };
    tryOnce();
  }

  return {
    async claim(id, terms) {
      const key = prefix + id;
      const leaseMs = expiry(terms?.leaseMs, "leaseMs");
      nonNegative(terms.windowMs, "windowMs");
      const token = `${instance}.${(++counter).toString(36)}`;
      const result = await run("claim", key, [token, leaseMs], (reply): ClaimResult | undefined => {
        const n = integer(reply);
        if (n === -1) return { state: "acquired", token };
        if (n === -2) return COMPLETED;
        if (n !== undefined && n >= 0) return { state: "in_progress", retryAfterMs: Math.max(n, 1) };
        return undefined;
      });
      if (result.ok) return result.value;
      // Failing open, the webhook is processed under this token: a late claim is right to stay.
      if (failOpen) return { state: "acquired", token };
      // The claim may have landed all the same (its reply lost with the connection,
      // or still on its way). Failing closed, that lease must not outlive our
      // refusal, or the sender's retry would be answered "in progress" for a lease
      // nobody works under. Released once the claim itself settled (never ahead
      // of it), unless its late reply says it did not take the lease.
      if (result.error.reason !== "unexpected_reply") {
        result.late.then(
          (reply) => {
            if (integer(reply) === -1) retryInBackground("release", key, [token], Number(leaseMs));
          },
          () => retryInBackground("release", key, [token], Number(leaseMs)),
        );
      }
      throw result.error;
    },
    async renew(id, token, leaseMs) {
      const result = await run("renew", prefix + id, [token, expiry(leaseMs, "leaseMs")], flag);
      if (result.ok) return result.value;
      if (failOpen) return true;
      throw result.error;
    },
    async complete(id, token, retainMs) {
      const key = prefix + id;
      const retain = expiry(retainMs, "retainMs");
      const result = await run("complete", key, [token, retain], flag);
      if (result.ok) return result.value;
      // The handler's work is done: if this completion did not land, the lease would
      // lapse and a later delivery run the handler again. So it is sent again until
      // Redis answers (failing closed or open: the caller's answer stands either way).
      // (Once the first one settled: a late reply means it landed after all.)
      if (result.error.reason !== "unexpected_reply") {
        result.late.catch(() => retryInBackground("complete", key, [token, retain], Math.min(Number(retain), MAX_COMPLETE_RETRY_MS)));
      }
      if (failOpen) return true;
      throw result.error;
    },
    async release(id, token) {
      const result = await run("release", prefix + id, [token], flag);
      if (!result.ok && !failOpen) throw result.error;
    },
  };
}

/** Waits at most `ms` for a command's reply. */
function settleWithin(pending: Promise<unknown>, ms: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ type: "timeout" }), ms);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve({ type: "reply", value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ type: "failed", error });
      },
    );
  });
}

/** A Lua integer reply (a number with either client; a string or Buffer from a client set to return them). */
function integer(reply: unknown): number | undefined {
  if (typeof reply === "number") return Number.isInteger(reply) ? reply : undefined;
  if (typeof reply !== "string" && !(reply instanceof Uint8Array)) return undefined;
  const text = typeof reply === "string" ? reply : new TextDecoder().decode(reply);
  return /^-?\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** The 1 / 0 reply of renew, complete and release. */
function flag(reply: unknown): boolean | undefined {
  const n = integer(reply);
  return n === 1 ? true : n === 0 ? false : undefined;
}

function randomHex(byteLength: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(byteLength));
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function nonNegative(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new WebhookError("invalid_options", `${name} must be a non-negative number`);
  }
  return value;
}

function positive(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new WebhookError("invalid_options", `${name} must be a positive number`);
  }
  return value;
}
