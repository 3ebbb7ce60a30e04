import { WebhookError } from "@hooksec/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRedisReplayStore, REDIS_REPLAY_SCRIPTS } from "./create-redis-replay-store.js";
import { locate, tokenBytes } from "./layout.js";
import type { IoRedisLike, NodeRedisLike } from "./redis-client.js";
import { RedisReplayStoreError } from "./redis-replay-store-error.js";

// The client-facing logic without a server (the scripts run on a real Redis in test/).

type Reply = (call: unknown[]) => Promise<unknown>;
const NOSCRIPT = () =>
  Promise.reject(Object.assign(new Error("NOSCRIPT No matching script. Please use EVAL."), { name: "ReplyError" }));

/** An ioredis look-alike: every script call is recorded, `reply` answers it (default 1, and -1 for a claim). */
function fakeIoRedis(reply: Reply = defaultReply, options: { evalsha?: boolean } = {}) {
  const calls: unknown[][] = [];
  const client: IoRedisLike = {
    status: "ready",
    eval: (...args) => {
      const call = ["eval", ...args];
      calls.push(call);
      return reply(call);
    },
  };
  if (options.evalsha !== false) {
    client.evalsha = (...args) => {
      const call = ["evalsha", ...args];
      calls.push(call);
      return reply(call);
    };
  }
  return { client, calls };
}

function fakeNodeRedis(reply: Reply = defaultReply) {
  const calls: unknown[][] = [];
  const client: NodeRedisLike = {
    isOpen: true,
    eval: (...args) => {
      const call = ["eval", ...args];
      calls.push(call);
      return reply(call);
    },
    evalSha: (...args) => {
      const call = ["evalSha", ...args];
      calls.push(call);
      return reply(call);
    },
  };
  return { client, calls };
}

/** Which operation a recorded call ran, by its script or SHA-1. */
function operationOf(call: unknown[]): string | undefined {
  const named = call[1];
  for (const [operation, script] of Object.entries(REDIS_REPLAY_SCRIPTS)) {
    if (named === script.sha1 || named === script.source) return operation;
  }
  return undefined;
}

function defaultReply(call: unknown[]): Promise<unknown> {
  return Promise.resolve(operationOf(call) === "claim" ? -1 : 1);
}

const terms = { leaseMs: 30_000, windowMs: 360_000 };

async function rejection(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** Where message key "id" lives with the default prefix and buckets. */
const ID = locate("hooksec:replay:", "id", 16);

describe("createRedisReplayStore", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("speaks ioredis: one EVALSHA sha 1 key ...args per operation", async () => {
    const { client, calls } = fakeIoRedis();
    const store = createRedisReplayStore({ client });
    const claimed = await store.claim("s::id", { leaseMs: 1500.2, windowMs: 360_000 });
    if (claimed.state !== "acquired") throw new Error("expected acquired");
    const { token } = claimed;
    expect(token).toMatch(/^[0-9a-f]{10}$/);
    expect(await store.renew("s::id", token, 30_000)).toBe(true);
    expect(await store.complete("s::id", token, 259_200_000)).toBe(true);
    await store.release("s::id", token);
    // The key: the message's bucket (a hash); then its field (12 bytes of the digest), the token (5 bytes).
    const { key, field } = locate("hooksec:replay:", "s::id", 16);
    expect(key).toMatch(/^hooksec:replay:[0-9a-f]{4}$/);
    const wire = Buffer.from(token, "hex");
    expect(calls).toEqual([
      ["evalsha", REDIS_REPLAY_SCRIPTS.claim.sha1, 1, key, field, wire, "1501"],
      ["evalsha", REDIS_REPLAY_SCRIPTS.renew.sha1, 1, key, field, wire, "30000"],
      ["evalsha", REDIS_REPLAY_SCRIPTS.complete.sha1, 1, key, field, wire, "259200000"],
      ["evalsha", REDIS_REPLAY_SCRIPTS.release.sha1, 1, key, field, wire],
    ]);
  });

  it("speaks node-redis: evalSha(sha, { keys: [key], arguments })", async () => {
    const { client, calls } = fakeNodeRedis();
    const store = createRedisReplayStore({ client, prefix: "p:" });
    const claimed = await store.claim("id", { leaseMs: 10, windowMs: 10 });
    const token = (claimed as { token: string }).token;
    expect(await store.complete("id", token, 20)).toBe(true);
    const { key, field } = locate("p:", "id", 16);
    const wire = Buffer.from(token, "hex");
    expect(calls).toEqual([
      ["evalSha", REDIS_REPLAY_SCRIPTS.claim.sha1, { keys: [key], arguments: [field, wire, "10"] }],
      ["evalSha", REDIS_REPLAY_SCRIPTS.complete.sha1, { keys: [key], arguments: [field, wire, "20"] }],
    ]);
  });

  it("sends EVAL with the source when Redis does not know the script (NOSCRIPT), and only then", async () => {
    let evalshaCalls = 0;
    const { client, calls } = fakeIoRedis((call) => {
      if (call[0] === "evalsha" && ++evalshaCalls === 1) return NOSCRIPT();
      return defaultReply(call);
    });
    const store = createRedisReplayStore({ client });
    expect((await store.claim("a", terms)).state).toBe("acquired");
    expect((await store.claim("b", terms)).state).toBe("acquired");
    expect(calls.map((call) => [call[0], call[1]])).toEqual([
      ["evalsha", REDIS_REPLAY_SCRIPTS.claim.sha1],
      ["eval", REDIS_REPLAY_SCRIPTS.claim.source],
      ["evalsha", REDIS_REPLAY_SCRIPTS.claim.sha1],
    ]);

    // The same for node-redis; another error is not retried.
    let nodeCalls = 0;
    const node = fakeNodeRedis((call) =>
      call[0] === "evalSha" && ++nodeCalls === 1 ? NOSCRIPT() : defaultReply(call),
    );
    expect((await createRedisReplayStore({ client: node.client }).claim("c", terms)).state).toBe("acquired");
    expect(node.calls.map((call) => call[0])).toEqual(["evalSha", "eval"]);
    const busy = fakeIoRedis(() => Promise.reject(new Error("BUSY Redis is busy running a script")));
    const error = await rejection(createRedisReplayStore({ client: busy.client }).claim("d", terms));
    expect((error as RedisReplayStoreError).reason).toBe("command_failed");
    // (then the possibly landed claim is released, also by EVALSHA)
    expect(busy.calls.map((call) => [call[0], operationOf(call)])).toEqual([
      ["evalsha", "claim"],
      ["evalsha", "release"],
    ]);
  });

  it("uses EVAL alone with a client that has no EVALSHA", async () => {
    const { client, calls } = fakeIoRedis(defaultReply, { evalsha: false });
    await createRedisReplayStore({ client }).claim("id", terms);
    expect(calls).toEqual([
      ["eval", REDIS_REPLAY_SCRIPTS.claim.source, 1, ID.key, ID.field, expect.any(Buffer), "30000"],
    ]);
  });

  it("honours an explicit clientKind over detection", async () => {
    const { client, calls } = fakeNodeRedis();
    const store = createRedisReplayStore({ client: client as unknown as IoRedisLike, clientKind: "ioredis" });
    await store.claim("id", terms);
    // ioredis' signature (this look-alike has no `evalsha`: plain EVAL).
    expect(calls[0]).toEqual([
      "eval",
      REDIS_REPLAY_SCRIPTS.claim.source,
      1,
      ID.key,
      ID.field,
      expect.any(Buffer),
      "30000",
    ]);
  });

  it("gives every claim its own token, also across stores (processes)", async () => {
    const stores = [
      createRedisReplayStore({ client: fakeIoRedis().client }),
      createRedisReplayStore({ client: fakeIoRedis().client }),
    ];
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      for (const store of stores) {
        const claimed = await store.claim("id", terms);
        if (claimed.state === "acquired") seen.add(claimed.token);
      }
    }
    expect(seen.size).toBe(400);
  });

  it("reads the claim script's reply: acquired, completed, in progress with the lease left", async () => {
    const replies: unknown[] = [-1, -2, 1234, 0, "-2", Buffer.from("987")];
    const { client } = fakeIoRedis(() => Promise.resolve(replies.shift()));
    const store = createRedisReplayStore({ client });
    expect(await store.claim("id", terms)).toEqual({ state: "acquired", token: expect.any(String) });
    expect(await store.claim("id", terms)).toEqual({ state: "completed" });
    expect(await store.claim("id", terms)).toEqual({ state: "in_progress", retryAfterMs: 1234 });
    // A lease about to lapse still says "come back", never "now".
    expect(await store.claim("id", terms)).toEqual({ state: "in_progress", retryAfterMs: 1 });
    expect(await store.claim("id", terms)).toEqual({ state: "completed" });
    expect(await store.claim("id", terms)).toEqual({ state: "in_progress", retryAfterMs: 987 });
  });

  it("reads renew and complete replies as true / false", async () => {
    const replies: unknown[] = [1, 0, 0, 1];
    const { client } = fakeIoRedis(() => Promise.resolve(replies.shift()));
    const store = createRedisReplayStore({ client });
    expect(await store.renew("id", "t", 10)).toBe(true);
    expect(await store.renew("id", "t", 10)).toBe(false);
    expect(await store.complete("id", "t", 10)).toBe(false);
    expect(await store.complete("id", "t", 10)).toBe(true);
  });

  it("refuses options it cannot use with invalid_options", () => {
    const bad: unknown[] = [
      {},
      { client: {} },
      { client: { eval() {} } },
      { client: { status: "ready", evalsha() {} } },
      { client: fakeIoRedis().client, timeoutMs: 0 },
      { client: fakeIoRedis().client, timeoutMs: Number.POSITIVE_INFINITY },
      { client: fakeIoRedis().client, minTtlMs: -1 },
      { client: fakeIoRedis().client, prefix: 42 },
      { client: fakeIoRedis().client, buckets: 3 },
      { client: fakeIoRedis().client, buckets: 0 },
    ];
    for (const options of bad) {
      const error = (() => {
        try {
          createRedisReplayStore(options as Parameters<typeof createRedisReplayStore>[0]);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(WebhookError);
      expect((error as WebhookError).code).toBe("invalid_options");
    }
  });

  it("refuses a negative or non-finite lease, window or retention, and the old claim(key, ttl) call", async () => {
    const { client, calls } = fakeIoRedis();
    const store = createRedisReplayStore({ client });
    const badTerms: unknown[] = [
      { leaseMs: -1, windowMs: 1 },
      { leaseMs: Number.NaN, windowMs: 1 },
      { leaseMs: 1, windowMs: Number.POSITIVE_INFINITY },
      { leaseMs: 1 },
      60_000,
      undefined,
    ];
    for (const bad of badTerms) {
      const error = await rejection(store.claim("id", bad as typeof terms));
      expect((error as WebhookError).code).toBe("invalid_options");
    }
    expect(((await rejection(store.renew("id", "t", -5))) as WebhookError).code).toBe("invalid_options");
    expect(((await rejection(store.complete("id", "t", Number.NaN))) as WebhookError).code).toBe("invalid_options");
    expect(calls).toEqual([]);
  });

  it("floors every expiry at minTtlMs", async () => {
    const { client, calls } = fakeIoRedis();
    const store = createRedisReplayStore({ client, minTtlMs: 5000 });
    await store.claim("id", { leaseMs: 0.2, windowMs: 0 });
    await store.complete("id", "t", 10);
    expect(calls.map((call) => call[6])).toEqual(["5000", "5000"]);
  });

  it("fails closed on a failed command, a thrown command and an unexpected reply, reporting each", async () => {
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => Promise.reject(new Error("READONLY You can't write against a read only replica")), "command_failed"],
      [
        () => {
          throw new Error("The client is closed");
        },
        "command_failed",
      ],
      [() => Promise.resolve(42.5), "unexpected_reply"],
      // -3: the key holds something that is not a hooksec state.
      [() => Promise.resolve(-3), "unexpected_reply"],
      [() => Promise.resolve("OK"), "unexpected_reply"],
    ];
    for (const [reply, reason] of cases) {
      const reported: RedisReplayStoreError[] = [];
      const store = createRedisReplayStore({ client: fakeIoRedis(reply).client, onError: (e) => reported.push(e) });
      const error = await rejection(store.claim("id", terms));
      expect(error).toBeInstanceOf(RedisReplayStoreError);
      expect((error as RedisReplayStoreError).reason).toBe(reason);
      expect((error as RedisReplayStoreError).operation).toBe("claim");
      expect((error as RedisReplayStoreError).key).toBe("hooksec:replay:id");
      expect(reported).toEqual([error]);
    }
  });

  it("fails renew, complete and release closed; failOpen reports and answers yes", async () => {
    const failing = (call: unknown[]) =>
      operationOf(call) === "claim" ? defaultReply(call) : Promise.reject(new Error("connection lost"));
    const closed = createRedisReplayStore({ client: fakeIoRedis(failing).client });
    for (const [operation, call] of [
      ["renew", () => closed.renew("id", "token", 10)],
      ["complete", () => closed.complete("id", "token", 10)],
      ["release", () => closed.release("id", "token")],
    ] as const) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(RedisReplayStoreError);
      expect([(error as RedisReplayStoreError).operation, (error as RedisReplayStoreError).reason]).toEqual([
        operation,
        "command_failed",
      ]);
    }

    const reported: RedisReplayStoreError[] = [];
    const open = createRedisReplayStore({
      client: fakeIoRedis(failing).client,
      failOpen: true,
      onError: (e) => reported.push(e),
    });
    expect(await open.renew("id", "token", 10)).toBe(true);
    expect(await open.complete("id", "token", 10)).toBe(true);
    await open.release("id", "token");
    expect(reported.map((e) => [e.operation, e.failedOpen])).toEqual([
      ["renew", true],
      ["complete", true],
      ["release", true],
    ]);
  });

  it("failOpen acquires on failure; an onError that throws changes nothing", async () => {
    const store = createRedisReplayStore({
      client: fakeIoRedis(() => Promise.reject(new Error("ECONNREFUSED"))).client,
      failOpen: true,
      onError: () => {
        throw new Error("logger down");
      },
    });
    expect(await store.claim("id", terms)).toEqual({
      state: "acquired",
      token: expect.stringMatching(/^[0-9a-f]{10}$/),
    });
  });

  it("after a failed claim, releases the possibly landed lease, trying again until Redis answers", async () => {
    vi.useFakeTimers();
    let releaseCalls = 0;
    const { client, calls } = fakeIoRedis((call) => {
      if (operationOf(call) === "claim") return Promise.reject(new Error("Connection is closed."));
      return ++releaseCalls < 3 ? Promise.reject(new Error("Connection is closed.")) : Promise.resolve(1);
    });
    const reported: RedisReplayStoreError[] = [];
    const store = createRedisReplayStore({ client, onError: (e) => reported.push(e) });
    const error = await rejection(store.claim("id", terms));
    expect((error as RedisReplayStoreError).reason).toBe("command_failed");
    await vi.advanceTimersByTimeAsync(60_000);
    const token = calls[0]?.[5];
    // The third try got an answer: no more tries, nothing more reported.
    expect(calls.filter((call) => operationOf(call) === "release")).toEqual(
      Array.from({ length: 3 }, () => ["evalsha", REDIS_REPLAY_SCRIPTS.release.sha1, 1, ID.key, ID.field, token]),
    );
    expect(reported.map((e) => e.operation)).toEqual(["claim"]);
  });

  it("after a timed-out claim, releases only once the claim settled, and only if it took the lease", async () => {
    for (const [late, released] of [
      [-1, true],
      [1234, false],
    ] as const) {
      let answerClaim: (reply: unknown) => void = () => {};
      const { client, calls } = fakeIoRedis((call) =>
        operationOf(call) === "claim"
          ? new Promise((resolve) => {
              answerClaim = resolve;
            })
          : Promise.resolve(1),
      );
      const store = createRedisReplayStore({ client, timeoutMs: 20 });
      expect(((await rejection(store.claim("id", terms))) as RedisReplayStoreError).reason).toBe("timeout");
      await new Promise((resolve) => setTimeout(resolve, 30));
      // Nothing may overtake the claim still on its way (a NOSCRIPT retry would put it behind).
      expect(calls.map(operationOf)).toEqual(["claim"]);
      answerClaim(late);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(calls.map(operationOf)).toEqual(released ? ["claim", "release"] : ["claim"]);
    }
  });

  it("stops trying to release a lost claim once its lease would have lapsed anyway", async () => {
    vi.useFakeTimers();
    const { client, calls } = fakeIoRedis(() => Promise.reject(new Error("ECONNREFUSED")));
    const reported: RedisReplayStoreError[] = [];
    const store = createRedisReplayStore({ client, onError: (e) => reported.push(e) });
    await rejection(store.claim("id", { leaseMs: 10_000, windowMs: 360_000 }));
    await vi.advanceTimersByTimeAsync(10_000);
    const tries = calls.filter((call) => operationOf(call) === "release").length;
    // At most one second apart: 100, 200, 400, 800, then every 1000 ms.
    expect(tries).toBeGreaterThanOrEqual(12);
    expect(tries).toBeLessThanOrEqual(15);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls.filter((call) => operationOf(call) === "release")).toHaveLength(tries);
    expect(reported.map((e) => e.operation)).toEqual(["claim"]);
  });

  it("after a failed complete, sends the completion again until Redis answers, failing closed or open", async () => {
    vi.useFakeTimers();
    for (const failOpen of [false, true]) {
      let completeCalls = 0;
      const { client, calls } = fakeIoRedis(() =>
        ++completeCalls < 4 ? Promise.reject(new Error("Connection is closed.")) : Promise.resolve(1),
      );
      const store = createRedisReplayStore({ client, failOpen });
      const outcome = await Promise.resolve(store.complete("id", "token-1", 259_200_000)).catch(
        (error: unknown) => error,
      );
      expect(outcome instanceof RedisReplayStoreError).toBe(!failOpen);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toEqual(
        Array.from({ length: 4 }, () => [
          "evalsha",
          REDIS_REPLAY_SCRIPTS.complete.sha1,
          1,
          ID.key,
          ID.field,
          tokenBytes("token-1"),
          "259200000",
        ]),
      );
    }
  });

  it("gives up sending a lost completion again after an hour (or its retention, if shorter)", async () => {
    vi.useFakeTimers();
    const { client, calls } = fakeIoRedis(() => Promise.reject(new Error("ECONNREFUSED")));
    const store = createRedisReplayStore({ client });
    await rejection(store.complete("id", "t", 259_200_000));
    await vi.advanceTimersByTimeAsync(3_600_000);
    const tries = calls.length;
    expect(tries).toBeGreaterThan(3000);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toHaveLength(tries);
  });

  it("keeps the lease of a failed claim when failing open (the webhook is processed under it)", async () => {
    const { client, calls } = fakeIoRedis(() => Promise.reject(new Error("Connection is closed.")));
    const store = createRedisReplayStore({ client, failOpen: true });
    expect((await store.claim("id", terms)).state).toBe("acquired");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls.map(operationOf)).toEqual(["claim"]);
  });

  it("does not release after an unexpected reply (the script ran and wrote nothing)", async () => {
    const { client, calls } = fakeIoRedis(() => Promise.resolve(-3));
    await rejection(createRedisReplayStore({ client }).claim("id", terms));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls.map(operationOf)).toEqual(["claim"]);
  });

  it("times out a command that never answers", async () => {
    const store = createRedisReplayStore({ client: fakeIoRedis(() => new Promise(() => {})).client, timeoutMs: 20 });
    const error = await rejection(store.claim("id", terms));
    expect((error as RedisReplayStoreError).reason).toBe("timeout");
  });
});
