import { WebhookError } from "@hooksec/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRedisReplayStore } from "./create-redis-replay-store.js";
import type { IoRedisLike, NodeRedisLike } from "./redis-client.js";
import { RedisReplayStoreError } from "./redis-replay-store-error.js";

// The client-facing logic without a server (the real clients are tested in test/).

function fakeIoRedis(
  reply: { set?: () => Promise<unknown>; get?: (lastSet: string | undefined) => Promise<unknown>; eval?: () => Promise<unknown> } = {},
) {
  const calls: unknown[][] = [];
  let lastSet: string | undefined;
  const client: IoRedisLike = {
    status: "ready",
    set: (...args) => {
      calls.push(["set", ...args]);
      lastSet = args[1];
      return reply.set ? reply.set() : Promise.resolve("OK");
    },
    get: (...args) => {
      calls.push(["get", ...args]);
      return reply.get ? reply.get(lastSet) : Promise.resolve("someone-else");
    },
    eval: (...args) => {
      calls.push(["eval", ...args]);
      return reply.eval ? reply.eval() : Promise.resolve(1);
    },
  };
  return { client, calls };
}

function fakeNodeRedis() {
  const calls: unknown[][] = [];
  const client: NodeRedisLike = {
    isOpen: true,
    set: (...args) => {
      calls.push(["set", ...args]);
      return Promise.resolve("OK");
    },
    get: () => Promise.resolve(null),
    eval: (...args) => {
      calls.push(["eval", ...args]);
      return Promise.resolve(0);
    },
  };
  return { client, calls };
}

async function rejection(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("createRedisReplayStore", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("speaks ioredis: SET key token PX ttl NX and EVAL script 1 key token", async () => {
    const { client, calls } = fakeIoRedis();
    const store = createRedisReplayStore({ client });
    const token = await store.claim("s::id", 1500.2);
    await store.release("s::id", token as string);
    expect(calls).toEqual([
      ["set", "hooksec:replay:s::id", token, "PX", 1501, "NX"],
      ["eval", expect.stringContaining("DEL"), 1, "hooksec:replay:s::id", token],
    ]);
  });

  it("speaks node-redis: set(key, token, { NX, PX }) and eval(script, { keys, arguments })", async () => {
    const { client, calls } = fakeNodeRedis();
    const store = createRedisReplayStore({ client, prefix: "p:" });
    const token = await store.claim("id", 10);
    await store.release("id", token as string);
    expect(calls).toEqual([
      ["set", "p:id", token, { NX: true, PX: 10 }],
      ["eval", expect.stringContaining("DEL"), { keys: ["p:id"], arguments: [token] }],
    ]);
  });

  it("honours an explicit clientKind over detection", async () => {
    const { client, calls } = fakeNodeRedis();
    const store = createRedisReplayStore({ client, clientKind: "ioredis" });
    await store.claim("id", 10);
    expect(calls[0]).toEqual(["set", "hooksec:replay:id", expect.any(String), "PX", 10, "NX"]);
  });

  it("gives every claim its own token, also across stores (processes)", async () => {
    const stores = [createRedisReplayStore({ client: fakeIoRedis().client }), createRedisReplayStore({ client: fakeIoRedis().client })];
    const tokens = new Set<string | null>();
    for (let i = 0; i < 200; i++) for (const store of stores) tokens.add(await store.claim("id", 10));
    expect(tokens.size).toBe(400);
    expect(tokens.has(null)).toBe(false);
  });

  it("maps a null reply to a duplicate when the key holds another claimant's token", async () => {
    const { client, calls } = fakeIoRedis({ set: () => Promise.resolve(null) });
    expect(await createRedisReplayStore({ client }).claim("id", 10)).toBeNull();
    expect(calls.map((call) => call[0])).toEqual(["set", "get"]);
  });

  it("takes a refused SET whose key holds its own token (a re-sent command) as claimed", async () => {
    const { client } = fakeIoRedis({ set: () => Promise.resolve(null), get: (lastSet) => Promise.resolve(lastSet) });
    const token = await createRedisReplayStore({ client }).claim("id", 10);
    expect(token).toMatch(/^[0-9a-f]{32}\.[0-9a-z]+$/);
  });

  it("refuses options it cannot use with invalid_options", () => {
    const bad: unknown[] = [
      {},
      { client: {} },
      { client: { set() {}, get() {}, eval() {} } },
      { client: { status: "ready", set() {}, eval() {} } },
      { client: fakeIoRedis().client, timeoutMs: 0 },
      { client: fakeIoRedis().client, timeoutMs: Number.POSITIVE_INFINITY },
      { client: fakeIoRedis().client, minTtlMs: -1 },
      { client: fakeIoRedis().client, prefix: 42 },
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

  it("refuses a negative or non-finite TTL", async () => {
    const store = createRedisReplayStore({ client: fakeIoRedis().client });
    for (const ttl of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = await rejection(store.claim("id", ttl));
      expect((error as WebhookError).code).toBe("invalid_options");
    }
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
      [() => Promise.resolve(42), "unexpected_reply"],
    ];
    for (const [set, reason] of cases) {
      const reported: RedisReplayStoreError[] = [];
      const store = createRedisReplayStore({ client: fakeIoRedis({ set }).client, onError: (e) => reported.push(e) });
      const error = await rejection(store.claim("id", 10));
      expect(error).toBeInstanceOf(RedisReplayStoreError);
      expect((error as RedisReplayStoreError).reason).toBe(reason);
      expect((error as RedisReplayStoreError).operation).toBe("claim");
      expect((error as RedisReplayStoreError).key).toBe("hooksec:replay:id");
      expect(reported).toEqual([error]);
    }
  });

  it("fails a release closed, or reports it and carries on when failOpen", async () => {
    const failing = () => Promise.reject(new Error("connection lost"));
    const closed = createRedisReplayStore({ client: fakeIoRedis({ eval: failing }).client });
    const error = await rejection(closed.release("id", "token"));
    expect((error as RedisReplayStoreError).operation).toBe("release");
    expect((error as RedisReplayStoreError).reason).toBe("command_failed");

    const reported: RedisReplayStoreError[] = [];
    const open = createRedisReplayStore({
      client: fakeIoRedis({ eval: failing }).client,
      failOpen: true,
      onError: (e) => reported.push(e),
    });
    await open.release("id", "token");
    expect(reported.map((e) => [e.operation, e.failedOpen])).toEqual([["release", true]]);
  });

  it("failOpen returns a token on failure; an onError that throws changes nothing", async () => {
    const store = createRedisReplayStore({
      client: fakeIoRedis({ set: () => Promise.reject(new Error("ECONNREFUSED")) }).client,
      failOpen: true,
      onError: () => {
        throw new Error("logger down");
      },
    });
    expect(await store.claim("id", 10)).toMatch(/^[0-9a-f]{32}\.[0-9a-z]+$/);
  });

  it("after a failed claim, gives the possibly landed claim back, trying again until Redis answers", async () => {
    vi.useFakeTimers();
    let evalCalls = 0;
    const { client, calls } = fakeIoRedis({
      set: () => Promise.reject(new Error("Connection is closed.")),
      eval: () => (++evalCalls < 3 ? Promise.reject(new Error("Connection is closed.")) : Promise.resolve(1)),
    });
    const reported: RedisReplayStoreError[] = [];
    const store = createRedisReplayStore({ client, onError: (e) => reported.push(e) });
    const error = await rejection(store.claim("id", 60_000));
    expect((error as RedisReplayStoreError).reason).toBe("command_failed");
    await vi.advanceTimersByTimeAsync(60_000);
    const token = calls[0]?.[2];
    // The third try got an answer: no more tries, nothing more reported.
    expect(calls.filter((call) => call[0] === "eval")).toEqual(
      Array.from({ length: 3 }, () => ["eval", expect.stringContaining("DEL"), 1, "hooksec:replay:id", token]),
    );
    expect(reported.map((e) => e.operation)).toEqual(["claim"]);
  });

  it("stops trying to give a claim back once it would have expired anyway", async () => {
    vi.useFakeTimers();
    const failing = () => Promise.reject(new Error("ECONNREFUSED"));
    const { client, calls } = fakeIoRedis({ set: failing, eval: failing });
    const reported: RedisReplayStoreError[] = [];
    const store = createRedisReplayStore({ client, onError: (e) => reported.push(e) });
    await rejection(store.claim("id", 10_000));
    await vi.advanceTimersByTimeAsync(10_000);
    const tries = calls.filter((call) => call[0] === "eval").length;
    // At most one second apart: 100, 200, 400, 800, then every 1000 ms.
    expect(tries).toBeGreaterThanOrEqual(12);
    expect(tries).toBeLessThanOrEqual(15);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls.filter((call) => call[0] === "eval")).toHaveLength(tries);
    expect(reported.map((e) => e.operation)).toEqual(["claim"]);
  });

  it("keeps the claim of a failed SET when failing open (the webhook is processed under it)", async () => {
    const { client, calls } = fakeIoRedis({ set: () => Promise.reject(new Error("Connection is closed.")) });
    const store = createRedisReplayStore({ client, failOpen: true });
    expect(await store.claim("id", 10)).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls.map((call) => call[0])).toEqual(["set"]);
  });

  it("times out a command that never answers", async () => {
    const store = createRedisReplayStore({ client: fakeIoRedis({ set: () => new Promise(() => {}) }).client, timeoutMs: 20 });
    const error = await rejection(store.claim("id", 10));
    expect((error as RedisReplayStoreError).reason).toBe("timeout");
  });
});
