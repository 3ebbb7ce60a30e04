import {
  type ClaimResult,
  createReceiver,
  createVerifier,
  type ReplayStore,
  standardWebhooks,
  WebhookError,
} from "@hooksec/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisReplayStore, REDIS_REPLAY_SCRIPTS, RedisReplayStoreError } from "../src/index.js";
import { locate } from "../src/layout.js";
import { clientKinds, commandCalls, connectClient, type TestClient } from "./support/clients.js";
import { held, heldTtl, lapse, rawEntry, writeForeign } from "./support/entries.js";
import { startDroppingProxy } from "./support/dropping-proxy.js";
import { startMonitor } from "./support/monitor.js";
import { eventually, type RedisServer, redisAvailable, sleep, startRedisServer } from "./support/redis-server.js";

const secret = `whsec_${Buffer.from("hooksec redis test secret 32 by!").toString("base64")}`;
const scheme = standardWebhooks({ secret });
// Where a timeout is not what is tested: a loaded CI machine must not turn a slow reply into a failure.
const PATIENT_MS = 5000;
const LEASE = 30_000;
const RETAIN = 259_200_000;
const terms = { leaseMs: LEASE, windowMs: 360_000 };
const TOKEN = /^[0-9a-f]{10}$/;

async function signedRequest(id: string, body = '{"hello":"world"}'): Promise<Request> {
  const headers = await scheme.sign({ id, timestamp: new Date(), body });
  return new Request("http://127.0.0.1/webhook", { method: "POST", headers, body });
}

async function rejection(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

async function acquire(store: ReplayStore, key: string, claimTerms = terms): Promise<string> {
  const claimed = await store.claim(key, claimTerms);
  if (claimed.state !== "acquired") throw new Error(`expected acquired, got ${JSON.stringify(claimed)}`);
  return claimed.token;
}

describe.runIf(redisAvailable).each(clientKinds)("Redis replay store with %s", (kind) => {
  let server: RedisServer;
  let redis: TestClient;
  let other: TestClient;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectClient(kind, server.port);
    other = await connectClient(kind, server.port);
  });
  afterAll(async () => {
    redis?.close();
    other?.close();
    await server?.dispose();
  });

  it("walks the states: acquired, in progress with the lease left, completed; each visible as p<token> / c<token>", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    const key = "standard-webhooks::msg_states";
    const token = await acquire(store, "standard-webhooks::msg_states");
    expect(token).toMatch(TOKEN);
    expect(await held(redis, key)).toBe(`p${token}`);
    expect(await heldTtl(redis, key)).toBeGreaterThan(LEASE - 5000);

    const busy = await store.claim("standard-webhooks::msg_states", terms);
    expect(busy.state).toBe("in_progress");
    const { retryAfterMs } = busy as Extract<ClaimResult, { state: "in_progress" }>;
    expect(retryAfterMs).toBeGreaterThan(LEASE - 5000);
    expect(retryAfterMs).toBeLessThanOrEqual(LEASE);

    expect(await store.renew("standard-webhooks::msg_states", token, 90_000)).toBe(true);
    expect(await heldTtl(redis, key)).toBeGreaterThan(60_000);

    expect(await store.complete("standard-webhooks::msg_states", token, RETAIN)).toBe(true);
    expect(await held(redis, key)).toBe(`c${token}`);
    expect(await heldTtl(redis, key)).toBeGreaterThan(RETAIN - 60_000);
    expect(await store.claim("standard-webhooks::msg_states", terms)).toEqual({ state: "completed" });
    // Completed stays completed: its own renewal is a yes that changes nothing, a release does nothing.
    expect(await store.renew("standard-webhooks::msg_states", token, LEASE)).toBe(true);
    await store.release("standard-webhooks::msg_states", token);
    expect(await held(redis, key)).toBe(`c${token}`);
    expect(await heldTtl(redis, key)).toBeGreaterThan(RETAIN - 60_000);
  });

  it("keeps each message in a 12-byte entry of a bucket hash, whatever the id's length, and sweeps lapsed entries as a bucket grows", async () => {
    const prefix = `sweep:${kind}:`;
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, prefix, buckets: 1 });
    const long = `standard-webhooks::${"x".repeat(256)}`;
    await store.complete(long, await acquire(store, long), RETAIN);
    const at = locate(prefix, long, 0);
    expect(at.key).toBe(`${prefix}0`);
    expect(await rawEntry(redis, long, prefix, 0)).toMatch(/^63[0-9a-f]{22}$/); // "c", 6 + 5 bytes
    for (let i = 0; i < 200; i++) await acquire(store, `short-${i}`, { leaseMs: 1, windowMs: 1 });
    await sleep(20);
    for (let i = 0; i < 200; i++) await acquire(store, `live-${i}`);
    // 201 live entries and the sweep's own field; at most a quarter more of lapsed ones.
    const fields = Number(await redis.send(["HLEN", at.key]));
    expect(fields).toBeGreaterThanOrEqual(202);
    expect(fields).toBeLessThanOrEqual(Math.ceil(201 * 1.25) + 2);
    expect(await redis.pttl(at.key)).toBeGreaterThan(RETAIN - 60_000);
    expect(await store.claim(long, terms)).toEqual({ state: "completed" });
  });

  it("of 50 concurrent claims of one key over two connections, exactly one acquires", async () => {
    const stores = [redis, other].map((client) =>
      createRedisReplayStore({ client: client.client, timeoutMs: PATIENT_MS }),
    );
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (stores[i % 2] as ReplayStore).claim("race", terms)),
    );
    expect(results.filter((result) => result.state === "acquired")).toHaveLength(1);
    expect(results.filter((result) => result.state === "in_progress")).toHaveLength(49);
  });

  it("release frees only its own processing lease", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    const token = await acquire(store, "released");
    await store.release("released", "not-the-token");
    await store.release("released", `${token}x`);
    expect((await store.claim("released", terms)).state).toBe("in_progress");
    expect(await held(redis, "released")).toBe(`p${token}`);

    await store.release("released", token);
    expect(await held(redis, "released")).toBeNull();
    const again = await acquire(store, "released");
    expect(again).not.toBe(token);
  });

  it("a lease that is not renewed lapses: the next claim acquires", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    await acquire(store, "short", { leaseMs: 80, windowMs: 360_000 });
    expect((await store.claim("short", terms)).state).toBe("in_progress");
    expect(await eventually(async () => (await held(redis, "short")) === null, 2000)).toBe(true);
    expect((await store.claim("short", terms)).state).toBe("acquired");
  });

  it("fencing: a late renew, complete or release from a lapsed lease never touches the claim that followed", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    const key = "fenced";
    const late = await acquire(store, "fenced");
    await lapse(redis, key);
    const current = await acquire(store, "fenced");
    expect(current).not.toBe(late);
    expect(await store.renew("fenced", late, LEASE)).toBe(false);
    expect(await store.complete("fenced", late, RETAIN)).toBe(false);
    await store.release("fenced", late);
    expect(await held(redis, key)).toBe(`p${current}`);

    // Nor a completion that followed.
    expect(await store.complete("fenced", current, RETAIN)).toBe(true);
    expect(await store.renew("fenced", late, LEASE)).toBe(false);
    expect(await store.complete("fenced", late, RETAIN)).toBe(false);
    await store.release("fenced", late);
    expect(await held(redis, key)).toBe(`c${current}`);
  });

  it("a lapsed lease nobody claimed since is taken back by its holder's renew or complete", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    const renewed = await acquire(store, "slow-renew");
    await lapse(redis, "slow-renew");
    expect(await store.renew("slow-renew", renewed, LEASE)).toBe(true);
    expect(await held(redis, "slow-renew")).toBe(`p${renewed}`);
    expect((await store.claim("slow-renew", terms)).state).toBe("in_progress");

    const completed = await acquire(store, "slow-complete");
    await lapse(redis, "slow-complete");
    expect(await store.complete("slow-complete", completed, RETAIN)).toBe(true);
    expect(await held(redis, "slow-complete")).toBe(`c${completed}`);
    expect(await store.claim("slow-complete", terms)).toEqual({ state: "completed" });
  });

  it("namespaces keys with the prefix: stores with other prefixes do not see each other", async () => {
    const first = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, prefix: "app1:" });
    const second = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, prefix: "app2:" });
    await acquire(first, "shared-id");
    await acquire(second, "shared-id");
    expect((await first.claim("shared-id", terms)).state).toBe("in_progress");
    expect(await held(redis, "shared-id", "app1:")).not.toBeNull();
    expect(await held(redis, "shared-id")).toBeNull();
  });

  it("refuses to read a key that holds something else (fails closed, unexpected_reply)", async () => {
    await writeForeign(redis, "foreign", "not ours");
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    const error = await rejection(store.claim("foreign", terms));
    expect((error as RedisReplayStoreError).reason).toBe("unexpected_reply");
    expect(await rawEntry(redis, "foreign")).toBe(Buffer.from("not ours").toString("hex"));
  });

  it("costs one round trip per operation: claim + complete = 2 commands; a duplicate = 1", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    // Redis learns each script on its first EVAL; EVALSHA from then on.
    const warm = await acquire(store, "rt-warm");
    await store.complete("rt-warm", warm, RETAIN);
    const monitor = await startMonitor(server.port);
    try {
      await monitor.take();
      const token = await acquire(store, "rt-1");
      expect(await store.complete("rt-1", token, RETAIN)).toBe(true);
      // One key: the message's bucket; then its field, the token (binary) and the lease or retention.
      const bucket = locate("hooksec:replay:", "rt-1", 16).key;
      const taken = await monitor.take();
      expect(taken.map((command) => [...command.slice(0, 4), command[6]])).toEqual([
        ["evalsha", REDIS_REPLAY_SCRIPTS.claim.sha1, "1", bucket, String(LEASE)],
        ["evalsha", REDIS_REPLAY_SCRIPTS.complete.sha1, "1", bucket, String(RETAIN)],
      ]);
      expect(taken.map((command) => command.length)).toEqual([7, 7]);
      expect(await store.claim("rt-1", terms)).toEqual({ state: "completed" });
      expect((await monitor.take()).map((command) => command[0])).toEqual(["evalsha"]);
    } finally {
      monitor.close();
    }
  });

  it("recovers by itself from a flushed script cache (NOSCRIPT, then EVAL)", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    await acquire(store, "flush-before");
    await other.send(["SCRIPT", "FLUSH"]);
    await other.send(["CONFIG", "RESETSTAT"]);
    expect((await store.claim("flush-after", terms)).state).toBe("acquired");
    const calls = await commandCalls(other);
    expect(calls.evalsha).toBe(1);
    expect(calls.eval).toBe(1);
    expect(await other.send(["SCRIPT", "EXISTS", REDIS_REPLAY_SCRIPTS.claim.sha1])).toEqual([1]);
  });

  it("in a receiver: processed once, 409 while in progress, 200 duplicate after, released on failure", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, prefix: `receiver:${kind}:` });
    const receiver = createReceiver({ scheme, replay: { store } });
    let runs = 0;
    let finish: () => void = () => {};
    const first = receiver.receive(await signedRequest("msg_receiver"), async () => {
      runs++;
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return new Response(null, { status: 204 });
    });
    await eventually(async () => runs === 1);
    const meanwhile = await receiver.receive(await signedRequest("msg_receiver"), () => {
      runs++;
      return new Response(null, { status: 204 });
    });
    expect(meanwhile.handled).toBe(false);
    if (meanwhile.handled) return;
    expect(meanwhile.response.status).toBe(409);
    expect(meanwhile.response.body).toMatchObject({ error: { code: "message_in_progress" } });
    expect(Number(meanwhile.response.headers["retry-after"])).toBeGreaterThan(0);
    finish();
    expect((await first).handled).toBe(true);
    const after = await receiver.receive(await signedRequest("msg_receiver"), () => {
      runs++;
      return new Response(null, { status: 204 });
    });
    expect(after.handled ? 0 : after.response.status).toBe(200);
    expect(after.handled ? undefined : after.response.body).toEqual({ duplicate: true, id: "msg_receiver" });
    expect(runs).toBe(1);

    // A failing handler (a 5xx answer) releases: the retry runs.
    const failed = await receiver.receive(await signedRequest("msg_fails"), () => new Response(null, { status: 500 }));
    expect(failed.handled).toBe(true);
    const retried = await receiver.receive(await signedRequest("msg_fails"), () => new Response(null, { status: 204 }));
    expect(retried.handled).toBe(true);
  });
});

describe.runIf(redisAvailable)("ioredis and node-redis share states", () => {
  let server: RedisServer;
  let io: TestClient;
  let node: TestClient;
  beforeAll(async () => {
    server = await startRedisServer();
    io = await connectClient("ioredis", server.port);
    node = await connectClient("node-redis", server.port);
  });
  afterAll(async () => {
    io?.close();
    node?.close();
    await server?.dispose();
  });

  it("a lease taken through one client is in progress through the other, and only its token completes it", async () => {
    const viaIo = createRedisReplayStore({ client: io.client, timeoutMs: PATIENT_MS });
    const viaNode = createRedisReplayStore({ client: node.client, timeoutMs: PATIENT_MS });
    const token = await acquire(viaIo, "cross");
    expect((await viaNode.claim("cross", terms)).state).toBe("in_progress");
    expect(await viaNode.complete("cross", "wrong", RETAIN)).toBe(false);
    expect(await viaNode.complete("cross", token, RETAIN)).toBe(true);
    expect(await viaIo.claim("cross", terms)).toEqual({ state: "completed" });
  });
});

describe.runIf(redisAvailable).each(clientKinds)("when Redis hangs or goes away (%s)", (kind) => {
  let server: RedisServer;
  let redis: TestClient;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectClient(kind, server.port);
  });
  afterAll(async () => {
    server?.thaw();
    redis?.close();
    await server?.dispose();
  });

  it("a hung Redis fails closed after timeoutMs, and a claim that lands late is released", async () => {
    const errors: RedisReplayStoreError[] = [];
    const store = createRedisReplayStore({
      client: redis.client,
      timeoutMs: 150,
      onError: (error) => errors.push(error),
    });
    const verifier = createVerifier({ scheme, replay: { store, namespace: "hung" } });
    server.freeze();
    const error = await rejection(verifier.verify(await signedRequest("msg_hung")));
    server.thaw();
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as WebhookError).code).toBe("replay_store_unavailable");
    expect((error as WebhookError).status).toBe(503);
    const cause = (error as WebhookError).cause;
    expect(cause).toBeInstanceOf(RedisReplayStoreError);
    expect((cause as RedisReplayStoreError).reason).toBe("timeout");
    expect((cause as RedisReplayStoreError).failedOpen).toBe(false);
    expect(errors.map((e) => [e.operation, e.reason])).toEqual([["claim", "timeout"]]);

    // The claim ran once Redis woke up (this Redis had no script cached yet: its
    // EVALSHA got NOSCRIPT, and the store sent it again as EVAL, after whatever
    // was queued behind it); the store released it once it landed, so the
    // sender's retry is processed rather than answered "in progress".
    await sleep(300);
    expect(await eventually(async () => (await held(redis, `8:/webhook:${scheme.name}::msg_hung`)) === null)).toBe(
      true,
    );
    const retry = await verifier.verify(await signedRequest("msg_hung"));
    expect(retry.duplicate).toBe(false);
  });

  it("failOpen acquires, reports it, and keeps the late claim under the returned token", async () => {
    const errors: RedisReplayStoreError[] = [];
    const store = createRedisReplayStore({
      client: redis.client,
      timeoutMs: 150,
      failOpen: true,
      onError: (error) => errors.push(error),
    });
    server.freeze();
    const claimed = await store.claim("open", terms);
    server.thaw();
    expect(claimed).toEqual({ state: "acquired", token: expect.stringMatching(TOKEN) });
    const { token } = claimed as { token: string };
    expect(errors.map((e) => [e.operation, e.reason, e.failedOpen])).toEqual([["claim", "timeout", true]]);
    expect(await eventually(async () => (await held(redis, "open")) === `p${token}`)).toBe(true);
    expect(await store.complete("open", token, RETAIN)).toBe(true);
    expect(await held(redis, "open")).toBe(`c${token}`);
  });

  it("a stopped Redis gives replay_store_unavailable; the same client recovers when it is back", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: 1000 });
    const verifier = createVerifier({ scheme, replay: { store, namespace: "stopped" } });
    const before = await verifier.verify(await signedRequest("msg_before"));
    expect(before.duplicate).toBe(false);

    await server.stop("SIGKILL");
    for (const id of ["msg_down_1", "msg_down_2"]) {
      const error = await rejection(verifier.verify(await signedRequest(id)));
      expect(error).toBeInstanceOf(WebhookError);
      expect((error as WebhookError).code).toBe("replay_store_unavailable");
      expect((error as WebhookError).status).toBe(503);
    }
    // Renewing, completing and releasing fail closed too: the caller learns the state is unknown.
    for (const [operation, call] of [
      ["renew", () => store.renew("anything", "token", LEASE)],
      ["complete", () => store.complete("anything", "token", RETAIN)],
      ["release", () => store.release("anything", "token")],
    ] as const) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(RedisReplayStoreError);
      expect((error as RedisReplayStoreError).operation).toBe(operation);
    }
    // Through the webhook, as a `replay_store_unavailable`.
    expect(((await rejection(before.complete())) as WebhookError).code).toBe("replay_store_unavailable");

    await server.start();
    // The client reconnects by itself; no new client, no restart.
    expect(
      await eventually(async () => {
        try {
          const webhook = await verifier.verify(await signedRequest("msg_down_1"));
          await webhook.complete();
          return !webhook.duplicate;
        } catch {
          return false;
        }
      }, 10_000),
    ).toBe(true);
    expect((await verifier.verify(await signedRequest("msg_down_1"))).duplicate).toBe(true);
    expect((await verifier.verify(await signedRequest("msg_down_2"))).duplicate).toBe(false);
  });
});

describe.runIf(redisAvailable).each(clientKinds)("a claim whose reply is lost with the connection (%s)", (kind) => {
  it("never leaves the message held by nobody: the lease is kept by this claimant or released", async () => {
    const server = await startRedisServer();
    const proxy = await startDroppingProxy(server.port);
    const direct = await connectClient("ioredis", server.port);
    const viaProxy = await connectClient(kind, proxy.port);
    try {
      const store = createRedisReplayStore({ client: viaProxy.client, timeoutMs: PATIENT_MS });
      // Scripts cached first, so the dropped reply is the claim's own.
      await store.release("warm-up", "t");
      await direct.send(["SCRIPT", "LOAD", REDIS_REPLAY_SCRIPTS.claim.source]);
      proxy.dropNextReply();
      const outcome = await Promise.resolve(store.claim("dropped", terms)).then(
        (claimed) => ({ claimed }),
        (error: unknown) => ({ error }),
      );
      if (kind === "ioredis") {
        // ioredis re-sends the EVALSHA after reconnecting; the key already holds
        // this claim's lease (the first send landed), and the script says acquired.
        expect(outcome).toEqual({ claimed: { state: "acquired", token: expect.stringMatching(TOKEN) } });
        const { token } = (outcome as { claimed: { token: string } }).claimed;
        expect(await held(direct, "dropped")).toBe(`p${token}`);
      } else {
        // node-redis rejects the command cut off: fail closed, and release the lease
        // as soon as the client is connected again, so the retry is processed.
        expect((outcome as { error: unknown }).error).toBeInstanceOf(RedisReplayStoreError);
        expect(await eventually(async () => (await held(direct, "dropped")) === null)).toBe(true);
        expect((await store.claim("dropped", terms)).state).toBe("acquired");
      }
    } finally {
      viaProxy.close();
      direct.close();
      await proxy.close();
      await server.dispose();
    }
  });
});

describe.runIf(redisAvailable)("commands issued while disconnected fail fast", () => {
  it("with the offline queue off (node-redis disableOfflineQueue, ioredis enableOfflineQueue: false)", async () => {
    const server = await startRedisServer();
    const clients = await Promise.all(
      clientKinds.map((kind) => connectClient(kind, server.port, { offlineQueue: false })),
    );
    try {
      await server.stop("SIGKILL");
      await sleep(50);
      for (const { client, kind } of clients) {
        // A timeout far above a failed command's latency: the failure must not come from the timer.
        const store = createRedisReplayStore({ client, timeoutMs: 30_000 });
        const error = await rejection(store.claim(`offline-${kind}`, terms));
        expect(error).toBeInstanceOf(RedisReplayStoreError);
        expect((error as RedisReplayStoreError).reason).toBe("command_failed");
      }
    } finally {
      for (const client of clients) client.close();
      await server.dispose();
    }
  });
});
