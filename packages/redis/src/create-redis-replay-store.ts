import { createHash } from "node:crypto";
import { type ClaimResult, type ReplayStore, WebhookError } from "@hooksec/core";
import {
  bucketBitsOf,
  DEFAULT_BUCKETS,
  FIELD_BYTES,
  type Location,
  locate,
  SWEEP_FIELD,
  TOKEN_BYTES,
  tokenBytes,
  VALUE_BYTES,
} from "./layout.js";
import {
  detectClientKind,
  type RedisClientKind,
  type RedisClientLike,
  type RedisScript,
  redisCommands,
} from "./redis-client.js";
import {
  type RedisReplayOperation,
  RedisReplayStoreError,
  type RedisReplayStoreFailure,
} from "./redis-replay-store-error.js";
import { settleWithin } from "./settle-within.js";

/** A bucket sweeps its lapsed entries once it holds this many fields... */
const SWEEP_MIN = 4;
/** ...and again once it grew by a quarter since the last sweep (so at most a fifth of a bucket is lapsed entries). */
const SWEEP_GROWTH = 1.25;
/** Fields one write looks at while a sweep of a large bucket (a hash table) is under way; a listpack bucket is swept at once. */
const SWEEP_STEP = 64;

// The processing state machine of `ReplayStore`, one 12-byte entry per message in
// a bucket hash (see layout.ts for the layout and its sizes):
//
//   absent, or lapsed   unknown, released, or a lease that ran out
//   "p" at token        processing: the lease of the claim that got `token`, until `at`
//   "c" at token        completed by the claim that got `token`, remembered until `at`
//
// Each operation is one Lua script on that one key (so it runs atomically, and on
// Redis Cluster too) sent as one EVALSHA: one round trip. Every script gets
// KEYS[1] = the bucket, ARGV[1] = the field, ARGV[2] = the token (5 bytes) and,
// but release, ARGV[3] = the lease or retention in ms.

/** What every script starts with: the Redis clock, and reading and writing an entry. */
const PRELUDE = `local clock = redis.call("TIME")
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function valid(v)
  local state = string.sub(v, 1, 1)
  return #v == ${VALUE_BYTES} and (state == "p" or state == "c")
end
local function lapsesAt(v)
  local a, b, c, d, e, f = string.byte(v, 2, 7)
  return ((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f
end
local function sweep()
  local meta = redis.call("HGET", KEYS[1], "${SWEEP_FIELD}")
  local cursor, threshold = "0", ${SWEEP_MIN}
  if meta then
    local sep = string.find(meta, ":", 1, true)
    if sep then
      cursor = string.sub(meta, 1, sep - 1)
      threshold = tonumber(string.sub(meta, sep + 1)) or threshold
    end
  end
  if cursor == "0" and redis.call("HLEN", KEYS[1]) < threshold then return end
  local scanned = redis.call("HSCAN", KEYS[1], cursor, "COUNT", ${SWEEP_STEP})
  local items = scanned[2]
  for i = 1, #items, 2 do
    local v = items[i + 1]
    if #items[i] == ${FIELD_BYTES} and valid(v) and lapsesAt(v) <= now then redis.call("HDEL", KEYS[1], items[i]) end
  end
  cursor = scanned[1]
  if cursor == "0" then threshold = math.max(${SWEEP_MIN}, math.floor(redis.call("HLEN", KEYS[1]) * ${SWEEP_GROWTH}) + 1) end
  redis.call("HSET", KEYS[1], "${SWEEP_FIELD}", cursor .. ":" .. threshold)
end
local function put(state, at, fresh)
  local bytes, rest = {}, at
  for i = 6, 1, -1 do
    bytes[i] = rest % 256
    rest = (rest - bytes[i]) / 256
  end
  redis.call("HSET", KEYS[1], ARGV[1], state .. string.char(bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6]) .. ARGV[2])
  local wanted = at - now
  if redis.call("PTTL", KEYS[1]) < wanted then redis.call("PEXPIRE", KEYS[1], wanted) end
  if fresh then sweep() end
end
local held = redis.call("HGET", KEYS[1], ARGV[1])
`;

/**
 * `claim`. Replies -1: acquired (also when the entry already is this very claim:
 * ioredis re-sends a command cut off by a reconnection, and its first send may
 * have landed); -2: completed; -3: the field holds something that is not a
 * hooksec state; n >= 0: in progress, the lease ends in n ms.
 */
const CLAIM_LUA = `${PRELUDE}if held then
  if not valid(held) then return -3 end
  local left = lapsesAt(held) - now
  if left > 0 then
    if string.sub(held, 1, 1) == "c" then return -2 end
    if string.sub(held, 8) == ARGV[2] then return -1 end
    return left
  end
end
put("p", now + tonumber(ARGV[3]), not held)
return -1`;

/**
 * `renew`: 1 when the lease is this claim's (extended; a completion of this claim
 * stays completed) or nobody holds the entry since it lapsed (taken again), 0
 * when another claim holds or completed it.
 */
const RENEW_LUA = `${PRELUDE}if held then
  if not valid(held) then return 0 end
  if lapsesAt(held) > now then
    if string.sub(held, 8) ~= ARGV[2] then return 0 end
    if string.sub(held, 1, 1) == "p" then put("p", now + tonumber(ARGV[3]), false) end
    return 1
  end
end
put("p", now + tonumber(ARGV[3]), not held)
return 1`;

/** `complete`: the same rule as renew; the entry becomes completed for the retention. */
const COMPLETE_LUA = `${PRELUDE}if held then
  if not valid(held) then return 0 end
  if lapsesAt(held) > now and string.sub(held, 8) ~= ARGV[2] then return 0 end
end
put("c", now + tonumber(ARGV[3]), not held)
return 1`;

/** `release`: deletes the entry only while it is this claim's processing lease. */
const RELEASE_LUA = `${PRELUDE}if held and valid(held) and string.sub(held, 1, 1) == "p" and string.sub(held, 8) == ARGV[2] then
  redis.call("HDEL", KEYS[1], ARGV[1])
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

/**
 * Options of {@link createRedisReplayStore}: the client, key layout, timeouts, and what to do when Redis fails (closed unless you say otherwise).
 */
export interface RedisReplayStoreOptions {
  /** A connected ioredis (`Redis`, `Cluster`) or node-redis (`createClient()`, `createCluster()`) client. */
  readonly client: RedisClientLike;
  /** Which client API to speak. Default: detected (`status` → ioredis, `isOpen` → node-redis). */
  readonly clientKind?: RedisClientKind;
  /** Put before every key, to share one Redis with other data. Default `"hooksec:replay:"`. */
  readonly prefix?: string;
  /**
   * How many hashes ("buckets") the message states are spread over: a power of
   * two, default 65 536. Each message takes about 30 bytes while its bucket is a
   * listpack (up to Redis' `hash-max-listpack-entries`, 512 by default, messages
   * per bucket: 33 million messages with the default), about 80 beyond; each
   * bucket about 150 bytes of its own. Every store sharing the messages must use
   * the same value. See "Sizing" in the README.
   */
  readonly buckets?: number;
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

/**
 * A `ReplayStore` on Redis, shared by every instance of a receiver: each
 * operation of the processing state machine is one atomic Lua script on the
 * one key that holds the message's state (one round trip; about 30 bytes of
 * Redis memory per message, see the README), fenced by the claim's token, so a late
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
    throw new WebhookError(
      "invalid_options",
      "createRedisReplayStore needs an ioredis or node-redis `client` (or `clientKind`)",
    );
  }
  const commands = redisCommands(options.client, kind);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== "string") throw new WebhookError("invalid_options", "prefix must be a string");
  const timeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs");
  const minTtlMs = Math.ceil(positive(options.minTtlMs ?? 1, "minTtlMs"));
  const failOpen = options.failOpen === true;
  const { onError } = options;
  const bucketBits = bucketBitsOf(options.buckets ?? DEFAULT_BUCKETS);
  if (bucketBits === undefined)
    throw new WebhookError("invalid_options", "buckets must be a power of two from 1 to 16777216");
  // A token only has to differ from the tokens of the other claims of the same
  // message: 40 random bits each (a late call from a lapsed claim matches the
  // claim that followed it with a chance of 2^-40), drawn from a pool so that
  // there is no CSPRNG call per claim.
  let pool = new Uint8Array(0);
  let drawn = 0;
  const newToken = (): string => {
    if (drawn + TOKEN_BYTES > pool.length) {
      pool = crypto.getRandomValues(new Uint8Array(4096));
      drawn = 0;
    }
    drawn += TOKEN_BYTES;
    return Buffer.from(pool.buffer, pool.byteOffset + drawn - TOKEN_BYTES, TOKEN_BYTES).toString("hex");
  };

  const expiry = (ms: number, name: string): string => String(Math.max(Math.ceil(nonNegative(ms, name)), minTtlMs));

  function failure(
    operation: RedisReplayOperation,
    reason: RedisReplayStoreFailure,
    key: string,
    cause: unknown,
  ): RedisReplayStoreError {
    const what =
      reason === "timeout"
        ? `no reply within ${timeoutMs} ms`
        : reason === "unexpected_reply"
          ? "unexpected reply"
          : "command failed";
    const error = new RedisReplayStoreError(
      { operation, reason, key, failedOpen: failOpen },
      `Redis replay ${operation} of ${key}: ${what}`,
      {
        cause,
      },
    );
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
    at: Location,
    args: (string | Buffer)[],
    accept: (reply: unknown) => T | undefined,
  ): Promise<{ ok: true; value: T } | { ok: false; error: RedisReplayStoreError; late: Promise<unknown> }> {
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(commands.runScript(REDIS_REPLAY_SCRIPTS[operation], at.key, [at.field, ...args]));
    } catch (error) {
      pending = Promise.reject(error);
    }
    const outcome = await settleWithin(pending, timeoutMs);
    if (outcome.type === "reply") {
      const value = accept(outcome.value);
      if (value !== undefined) return { ok: true, value };
      return { ok: false, error: failure(operation, "unexpected_reply", key, outcome.value), late: pending };
    }
    if (outcome.type === "timeout")
      return { ok: false, error: failure(operation, "timeout", key, undefined), late: pending };
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
  function retryInBackground(
    operation: "release" | "complete",
    at: Location,
    args: (string | Buffer)[],
    untilMs: number,
  ): void {
    if (retrying >= MAX_RETRYING) return;
    retrying++;
    const giveUpAt = Date.now() + untilMs;
    let delay = RETRY_FIRST_DELAY_MS;
    const tryOnce = (): void => {
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(commands.runScript(REDIS_REPLAY_SCRIPTS[operation], at.key, [at.field, ...args]));
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
      const at = locate(prefix, id, bucketBits);
      const leaseMs = expiry(terms?.leaseMs, "leaseMs");
      nonNegative(terms.windowMs, "windowMs");
      const token = newToken();
      const wire = tokenBytes(token);
      const result = await run("claim", key, at, [wire, leaseMs], (reply): ClaimResult | undefined => {
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
            if (integer(reply) === -1) retryInBackground("release", at, [wire], Number(leaseMs));
          },
          () => retryInBackground("release", at, [wire], Number(leaseMs)),
        );
      }
      throw result.error;
    },
    async renew(id, token, leaseMs) {
      const result = await run(
        "renew",
        prefix + id,
        locate(prefix, id, bucketBits),
        [tokenBytes(token), expiry(leaseMs, "leaseMs")],
        flag,
      );
      if (result.ok) return result.value;
      if (failOpen) return true;
      throw result.error;
    },
    async complete(id, token, retainMs) {
      const key = prefix + id;
      const at = locate(prefix, id, bucketBits);
      const wire = tokenBytes(token);
      const retain = expiry(retainMs, "retainMs");
      const result = await run("complete", key, at, [wire, retain], flag);
      if (result.ok) return result.value;
      // The handler's work is done: if this completion did not land, the lease would
      // lapse and a later delivery run the handler again. So it is sent again until
      // Redis answers (failing closed or open: the caller's answer stands either way).
      // (Once the first one settled: a late reply means it landed after all.)
      if (result.error.reason !== "unexpected_reply") {
        result.late.catch(() =>
          retryInBackground("complete", at, [wire, retain], Math.min(Number(retain), MAX_COMPLETE_RETRY_MS)),
        );
      }
      if (failOpen) return true;
      throw result.error;
    },
    async release(id, token) {
      const result = await run("release", prefix + id, locate(prefix, id, bucketBits), [tokenBytes(token)], flag);
      if (!result.ok && !failOpen) throw result.error;
    },
  };
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
