import { type ReplayStore, WebhookError } from "@hooksec/core";
import { detectClientKind, type RedisClientKind, type RedisClientLike, redisCommands } from "./redis-client.js";
import { RedisReplayStoreError, type RedisReplayStoreFailure } from "./redis-replay-store-error.js";

/**
 * Compare-and-delete in one step: the key goes only if it still holds the
 * claimant's token, so a late release can never free somebody else's claim.
 */
export const RELEASE_SCRIPT = 'if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0';

const DEFAULT_PREFIX = "hooksec:replay:";
const DEFAULT_TIMEOUT_MS = 500;
/** How often a claim whose SET had no clear outcome is tried again to be released, while Redis is away. */
const FORGET_FIRST_DELAY_MS = 100;
const FORGET_MAX_DELAY_MS = 1000;
const MAX_FORGETTING = 10_000;

export interface RedisReplayStoreOptions {
  /** A connected ioredis (`Redis`, `Cluster`) or node-redis (`createClient()`, `createCluster()`) client. */
  readonly client: RedisClientLike;
  /** Which client API to speak. Default: detected (`status` → ioredis, `isOpen` → node-redis). */
  readonly clientKind?: RedisClientKind;
  /** Put before every key, to share one Redis with other data. Default `"hooksec:replay:"`. */
  readonly prefix?: string;
  /**
   * Longest wait for one Redis reply, in ms. Default 500. Past it the claim
   * fails (closed: `replay_store_unavailable`, 503) instead of holding the request.
   */
  readonly timeoutMs?: number;
  /** Shortest TTL a claim gets, in ms, whatever the verifier asks. Default 1 (the asked TTL, rounded up). */
  readonly minTtlMs?: number;
  /**
   * DANGER: when Redis fails or times out, let the webhook through as if it
   * were claimed, so a duplicate may be processed. Default `false` (fail closed).
   * Every such failure is still passed to `onError`.
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
 * A `ReplayStore` on Redis, shared by every instance of a receiver: a claim is
 * one atomic `SET key token NX PX ttl`, a release deletes the key only while it
 * holds that claim's token (one Lua script). Redis errors and timeouts fail
 * closed: the verifier answers `replay_store_unavailable` (503) and the sender
 * retries later.
 *
 * @example
 * import { Redis } from "ioredis";
 * const store = createRedisReplayStore({ client: new Redis(process.env.REDIS_URL) });
 * const verifier = createVerifier({ scheme: standardWebhooks({ secret }), replay: { store } });
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
  // A token only has to differ from every other claimant's (it never leaves the
  // process): 128 random bits per store and a counter, without a CSPRNG call per claim.
  const instance = randomHex(16);
  let counter = 0;

  function failure(
    operation: "claim" | "release",
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
      { cause },
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

  // SET NX, and when it is refused, whether the key holds this very token:
  // ioredis re-sends a command cut off by a reconnection, and the first send
  // may have landed. Taking that for a duplicate would drop the message.
  async function setClaim(key: string, token: string, px: number): Promise<unknown> {
    const reply = await commands.setIfAbsent(key, token, px);
    if (reply !== null && reply !== undefined) return reply;
    const holder = await commands.get(key);
    return holder !== null && holder !== undefined && String(holder) === token ? "OK" : null;
  }

  // Releases a claim whose SET had no clear outcome, as soon as Redis answers:
  // the release is queued behind the SET on the connection; while Redis is away
  // it is tried again at most every second, until the claim would have expired
  // anyway. One try at a time per claim, and a bound on how many claims wait.
  let forgetting = 0;
  function forgetClaim(key: string, token: string, ttlMs: number): void {
    if (forgetting >= MAX_FORGETTING) return;
    forgetting++;
    const expiresAt = Date.now() + ttlMs;
    let delay = FORGET_FIRST_DELAY_MS;
    const tryOnce = (): void => {
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(commands.evalOnKey(RELEASE_SCRIPT, key, [token]));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        () => {
          forgetting--;
        },
        () => {
          if (Date.now() + delay >= expiresAt) {
            forgetting--;
            return;
          }
          const timer: unknown = setTimeout(tryOnce, delay);
          // Never keep a process alive just for this.
          (timer as { unref?: () => void }).unref?.();
          delay = Math.min(delay * 2, FORGET_MAX_DELAY_MS);
        },
      );
    };
    tryOnce();
  }

  async function releaseKey(key: string, token: string): Promise<void> {
    const outcome = await settleWithin(() => commands.evalOnKey(RELEASE_SCRIPT, key, [token]), timeoutMs);
    let error: RedisReplayStoreError;
    if (outcome.type === "reply") {
      if (outcome.value === 0 || outcome.value === 1) return;
      error = failure("release", "unexpected_reply", key, outcome.value);
    } else if (outcome.type === "timeout") {
      error = failure("release", "timeout", key, undefined);
    } else {
      error = failure("release", "command_failed", key, outcome.error);
    }
    if (!failOpen) throw error;
  }

  return {
    async claim(id, ttlMs) {
      const key = prefix + id;
      const px = Math.max(Math.ceil(nonNegative(ttlMs, "ttlMs")), minTtlMs);
      const token = `${instance}.${(++counter).toString(36)}`;
      const outcome = await settleWithin(() => setClaim(key, token, px), timeoutMs);
      let error: RedisReplayStoreError;
      if (outcome.type === "reply") {
        if (isOk(outcome.value)) return token;
        if (outcome.value === null || outcome.value === undefined) return null;
        error = failure("claim", "unexpected_reply", key, outcome.value);
      } else if (outcome.type === "timeout") {
        error = failure("claim", "timeout", key, undefined);
      } else {
        error = failure("claim", "command_failed", key, outcome.error);
      }
      if (failOpen) return token;
      // The SET may have landed all the same (its reply lost with the connection,
      // or still on its way). Failing closed, that claim must not outlive our
      // refusal, or the sender's retry would be taken for a duplicate and never
      // processed. (Failing open, it is right to keep it: the webhook is being
      // processed under this token.)
      if (error.reason !== "unexpected_reply") forgetClaim(key, token, px);
      throw error;
    },
    release(id, token) {
      return releaseKey(prefix + id, token);
    },
  };
}

/** Runs one command and waits at most `ms` for its reply. */
function settleWithin(run: () => Promise<unknown>, ms: number): Promise<Outcome> {
  let pending: Promise<unknown>;
  try {
    pending = Promise.resolve(run());
  } catch (error) {
    return Promise.resolve({ type: "failed", error });
  }
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

function isOk(reply: unknown): boolean {
  // A string, or a Buffer when the client returns bytes.
  return reply !== null && reply !== undefined && String(reply) === "OK";
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
