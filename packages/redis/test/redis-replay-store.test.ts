import { createVerifier, standardWebhooks, WebhookError } from "@hooksec/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisReplayStore, RedisReplayStoreError } from "../src/index.js";
import { clientKinds, connectClient, type TestClient } from "./support/clients.js";
import { startDroppingProxy } from "./support/dropping-proxy.js";
import { eventually, type RedisServer, skipWithoutRedis, sleep, startRedisServer } from "./support/redis-server.js";

const secret = `whsec_${Buffer.from("hooksec redis test secret 32 by!").toString("base64")}`;
const scheme = standardWebhooks({ secret });
// Where a timeout is not what is tested: a loaded CI machine must not turn a slow reply into a failure.
const PATIENT_MS = 5000;

async function signedRequest(id: string, body = '{"hello":"world"}'): Promise<Request> {
  const headers = await scheme.sign({ id, timestamp: new Date(), body });
  return new Request("http://127.0.0.1/webhook", { method: "POST", headers, body });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe.skipIf(skipWithoutRedis).each(clientKinds)("Redis replay store with %s", (kind) => {
  let server: RedisServer;
  let redis: TestClient;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectClient(kind, server.port);
  });
  afterAll(async () => {
    redis?.close();
    await server?.dispose();
  });

  it("claims a key once: the first claim gets a token, the next ones null", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    const token = await store.claim("standard-webhooks::msg_once", 60_000);
    expect(token).toMatch(/^[0-9a-f]{32}\.[0-9a-z]+$/);
    expect(await store.claim("standard-webhooks::msg_once", 60_000)).toBeNull();
    // Stored under the default prefix, holding the claimant's token, with the TTL asked.
    expect(await redis.get("hooksec:replay:standard-webhooks::msg_once")).toBe(token);
    const pttl = await redis.pttl("hooksec:replay:standard-webhooks::msg_once");
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it("of 50 concurrent claims of one key, exactly one succeeds", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => store.claim("race", 60_000)));
    expect(tokens.filter((token) => token !== null)).toHaveLength(1);
  });

  it("release with a wrong token does nothing; with the claimant's token it frees the key", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    const token = await store.claim("released", 60_000);
    if (token === null) throw new Error("first claim must succeed");
    await store.release("released", "not-the-token");
    await store.release("released", `${token}x`);
    expect(await store.claim("released", 60_000)).toBeNull();
    expect(await redis.get("hooksec:replay:released")).toBe(token);

    await store.release("released", token);
    expect(await redis.get("hooksec:replay:released")).toBeNull();
    const again = await store.claim("released", 60_000);
    expect(again).not.toBeNull();
    expect(again).not.toBe(token);
    // The old token cannot release the new claim.
    await store.release("released", token);
    expect(await store.claim("released", 60_000)).toBeNull();
  });

  it("a claim expires after its TTL", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    expect(await store.claim("short", 80)).not.toBeNull();
    expect(await store.claim("short", 80)).toBeNull();
    expect(await eventually(async () => (await redis.get("hooksec:replay:short")) === null, 2000)).toBe(true);
    expect(await store.claim("short", 80)).not.toBeNull();
  });

  it("never keeps a claim shorter than asked: rounds up, and honours minTtlMs", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS });
    // 0.2 ms rounds up to 1 ms (SET with PX 0 would be an error).
    expect(await store.claim("fraction", 0.2)).not.toBeNull();
    const floored = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, minTtlMs: 120_000 });
    await floored.claim("floored", 1_000);
    expect(await redis.pttl("hooksec:replay:floored")).toBeGreaterThan(100_000);
  });

  it("namespaces keys with the prefix: stores with other prefixes do not see each other", async () => {
    const first = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, prefix: "app1:" });
    const second = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, prefix: "app2:" });
    expect(await first.claim("shared-id", 60_000)).not.toBeNull();
    expect(await second.claim("shared-id", 60_000)).not.toBeNull();
    expect(await first.claim("shared-id", 60_000)).toBeNull();
    expect(await redis.get("app1:shared-id")).not.toBeNull();
    expect(await redis.get("hooksec:replay:shared-id")).toBeNull();
  });

  it("holds for any key: claim, refuse, ignore a wrong release, free on the right one", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, prefix: `prop:${kind}:` });
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), fc.string(), async (key, wrong) => {
        if (seen.has(key)) return;
        seen.add(key);
        const token = await store.claim(key, 60_000);
        expect(token).not.toBeNull();
        expect(await store.claim(key, 60_000)).toBeNull();
        if (wrong !== token) await store.release(key, wrong);
        expect(await store.claim(key, 60_000)).toBeNull();
        await store.release(key, token as string);
        expect(await store.claim(key, 60_000)).not.toBeNull();
      }),
      { numRuns: 60 },
    );
  });

  it("in a verifier: the first delivery is processed, a re-delivery is a duplicate", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: PATIENT_MS, prefix: `verifier:${kind}:` });
    const verifier = createVerifier({ scheme, replay: { store } });
    const first = await verifier.verify(await signedRequest("msg_verifier"));
    expect(first.duplicate).toBe(false);
    const second = await verifier.verify(await signedRequest("msg_verifier"));
    expect(second.duplicate).toBe(true);
    // The handler failed: releasing lets the sender's retry through once.
    await first.release();
    expect((await verifier.verify(await signedRequest("msg_verifier"))).duplicate).toBe(false);
    expect((await verifier.verify(await signedRequest("msg_verifier"))).duplicate).toBe(true);
    expect(await redis.get(`verifier:${kind}:standard-webhooks::msg_verifier`)).toMatch(/^[0-9a-f]{32}\.[0-9a-z]+$/);
  });
});

describe.skipIf(skipWithoutRedis)("ioredis and node-redis share claims", () => {
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

  it("a claim made through one client is a duplicate through the other, and only its token releases it", async () => {
    const viaIo = createRedisReplayStore({ client: io.client, timeoutMs: PATIENT_MS });
    const viaNode = createRedisReplayStore({ client: node.client, timeoutMs: PATIENT_MS });
    const token = await viaIo.claim("cross", 60_000);
    expect(token).not.toBeNull();
    expect(await viaNode.claim("cross", 60_000)).toBeNull();
    await viaNode.release("cross", "wrong");
    expect(await viaNode.claim("cross", 60_000)).toBeNull();
    await viaNode.release("cross", token as string);
    expect(await viaNode.claim("cross", 60_000)).not.toBeNull();
    expect(await viaIo.claim("cross", 60_000)).toBeNull();
  });
});

describe.skipIf(skipWithoutRedis).each(clientKinds)("when Redis hangs or goes away (%s)", (kind) => {
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

  it("a hung Redis fails closed after timeoutMs, and a claim that lands late is given back", async () => {
    const errors: RedisReplayStoreError[] = [];
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: 150, onError: (error) => errors.push(error) });
    const verifier = createVerifier({ scheme, replay: { store } });
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

    // The SET ran once Redis woke up; the store deleted it again, so the
    // sender's retry is processed rather than taken for a duplicate.
    expect(await eventually(async () => (await redis.get("hooksec:replay:standard-webhooks::msg_hung")) === null)).toBe(true);
    const retry = await verifier.verify(await signedRequest("msg_hung"));
    expect(retry.duplicate).toBe(false);
  });

  it("failOpen lets the webhook through, reports it, and keeps the late claim under the returned token", async () => {
    const errors: RedisReplayStoreError[] = [];
    const store = createRedisReplayStore({
      client: redis.client,
      timeoutMs: 150,
      failOpen: true,
      onError: (error) => errors.push(error),
    });
    server.freeze();
    const token = await store.claim("open", 60_000);
    server.thaw();
    expect(token).toMatch(/^[0-9a-f]{32}\.[0-9a-z]+$/);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.reason).toBe("timeout");
    expect(errors[0]?.failedOpen).toBe(true);
    expect(await eventually(async () => (await redis.get("hooksec:replay:open")) === token)).toBe(true);
    await store.release("open", token as string);
    expect(await redis.get("hooksec:replay:open")).toBeNull();
  });

  it("a stopped Redis gives replay_store_unavailable; the same client recovers when it is back", async () => {
    const store = createRedisReplayStore({ client: redis.client, timeoutMs: 1000 });
    const verifier = createVerifier({ scheme, replay: { store } });
    expect((await verifier.verify(await signedRequest("msg_before"))).duplicate).toBe(false);

    await server.stop("SIGKILL");
    for (const id of ["msg_down_1", "msg_down_2"]) {
      const error = await rejection(verifier.verify(await signedRequest(id)));
      expect(error).toBeInstanceOf(WebhookError);
      expect((error as WebhookError).code).toBe("replay_store_unavailable");
      expect((error as WebhookError).status).toBe(503);
    }
    // Releasing fails closed too: the caller learns the claim may still be held.
    const releaseError = await rejection(Promise.resolve(store.release("anything", "token")));
    expect(releaseError).toBeInstanceOf(RedisReplayStoreError);
    expect((releaseError as RedisReplayStoreError).operation).toBe("release");

    await server.start();
    // The client reconnects by itself; no new client, no restart.
    expect(
      await eventually(async () => {
        try {
          return !(await verifier.verify(await signedRequest("msg_down_1"))).duplicate;
        } catch {
          return false;
        }
      }, 10_000),
    ).toBe(true);
    expect((await verifier.verify(await signedRequest("msg_down_1"))).duplicate).toBe(true);
    expect((await verifier.verify(await signedRequest("msg_down_2"))).duplicate).toBe(false);
  });
});

describe.skipIf(skipWithoutRedis).each(clientKinds)("a SET whose reply is lost with the connection (%s)", (kind) => {
  it("never leaves the message claimed by nobody: the claim is kept by this claimant or given back", async () => {
    const server = await startRedisServer();
    const proxy = await startDroppingProxy(server.port);
    const direct = await connectClient("ioredis", server.port);
    const viaProxy = await connectClient(kind, proxy.port);
    try {
      const store = createRedisReplayStore({ client: viaProxy.client, timeoutMs: PATIENT_MS });
      proxy.dropNextReply();
      const outcome = await Promise.resolve(store.claim("dropped", 60_000)).then(
        (token) => ({ token }),
        (error: unknown) => ({ error }),
      );
      if (kind === "ioredis") {
        // ioredis re-sends the SET after reconnecting; Redis refuses it (the first
        // one landed), and the store recognises its own token.
        expect(outcome).toEqual({ token: expect.stringMatching(/^[0-9a-f]{32}\.[0-9a-z]+$/) });
        expect(await direct.get("hooksec:replay:dropped")).toBe((outcome as { token: string }).token);
      } else {
        // node-redis rejects the command cut off: fail closed, and give the claim
        // back as soon as the client is connected again, so the retry is processed.
        expect((outcome as { error: unknown }).error).toBeInstanceOf(RedisReplayStoreError);
        expect(await eventually(async () => (await direct.get("hooksec:replay:dropped")) === null)).toBe(true);
        expect(await store.claim("dropped", 60_000)).not.toBeNull();
      }
    } finally {
      viaProxy.close();
      direct.close();
      await proxy.close();
      await server.dispose();
    }
  });
});

describe.skipIf(skipWithoutRedis)("commands issued while disconnected fail fast", () => {
  it("with the offline queue off (node-redis disableOfflineQueue, ioredis enableOfflineQueue: false)", async () => {
    const server = await startRedisServer();
    const clients = await Promise.all(clientKinds.map((kind) => connectClient(kind, server.port, { offlineQueue: false })));
    try {
      await server.stop("SIGKILL");
      await sleep(50);
      for (const { client, kind } of clients) {
        // A timeout far above a failed command's latency: the failure must not come from the timer.
        const store = createRedisReplayStore({ client, timeoutMs: 30_000 });
        const error = await rejection(Promise.resolve(store.claim(`offline-${kind}`, 60_000)));
        expect(error).toBeInstanceOf(RedisReplayStoreError);
        expect((error as RedisReplayStoreError).reason).toBe("command_failed");
      }
    } finally {
      for (const client of clients) client.close();
      await server.dispose();
    }
  });
});
