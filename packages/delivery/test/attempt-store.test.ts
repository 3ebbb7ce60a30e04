import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAttemptStore } from "../src/attempts/attempt-store.js";
import { createCircuitBreaker } from "../src/circuit/circuit-breaker.js";
import { deliveryKeys } from "../src/lib/keys.js";
import type { AttemptRecord } from "../src/types.js";
import { type RedisServer, redisAvailable, startRedisServer } from "./support/redis-server.js";

// The worker's two scripts per attempt: what they read, write and leave alone.
const circuitOptions = { failureThreshold: 2, cooldownMs: 1000, probeLeaseMs: 500 };
const logOptions = { retentionMs: 60_000, maxPerEndpoint: 3 };

describe.runIf(redisAvailable)("attempt store", () => {
  let server: RedisServer;
  let redis: Redis;
  let run = 0;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis({ host: "127.0.0.1", port: server.port });
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.dispose();
  });

  function fresh() {
    const keys = deliveryKeys("t", `attempts${++run}`);
    const store = createAttemptStore(redis, keys, circuitOptions, logOptions);
    const circuit = createCircuitBreaker(redis, keys.circuit, circuitOptions);
    return { keys, store, circuit };
  }
  const record = (messageId: string, at: number, outcome: AttemptRecord["outcome"] = "success"): AttemptRecord => ({
    messageId,
    endpointId: "ep",
    attempt: 1,
    at,
    durationMs: 3,
    outcome,
    status: outcome === "success" ? 200 : 500,
  });

  it("begin reads the endpoint and takes the circuit's decision in one script; a removed or disabled endpoint leaves the circuit alone", async () => {
    const { keys, store, circuit } = fresh();
    expect(await store.begin("ep", 1000)).toEqual({ recordJson: undefined, disabled: undefined, decision: undefined });

    await redis.set(keys.endpoint("ep"), '{"id":"ep"}');
    expect(await store.begin("ep", 1000)).toEqual({
      recordJson: '{"id":"ep"}',
      disabled: undefined,
      decision: { allowed: true, probe: false },
    });

    // Open, cooled down: a probe would be taken, but not for a disabled endpoint.
    await circuit.recordFailure("ep", 1000);
    await circuit.recordFailure("ep", 1000);
    await redis.set(keys.disabled("ep"), JSON.stringify({ reason: "manual", at: 1500 }));
    expect(await store.begin("ep", 5000)).toEqual({
      recordJson: '{"id":"ep"}',
      disabled: { reason: "manual", at: 1500 },
      decision: undefined,
    });
    expect((await circuit.snapshot("ep")).state).toBe("open");

    await redis.del(keys.disabled("ep"));
    expect((await store.begin("ep", 5000)).decision).toEqual({
      allowed: true,
      probe: true,
      transition: { from: "open", to: "half_open" },
    });
    expect((await store.begin("ep", 5100)).decision).toEqual({ allowed: false, retryAt: 5500 });
  });

  it("finish logs the attempt and moves the circuit: failures open it, a success closes it, a closed circuit is not written", async () => {
    const { keys, store, circuit } = fresh();
    expect(await store.finish(record("m1", 100), "success", 100)).toEqual({});
    expect(await redis.exists(keys.circuit("ep"))).toBe(0);

    expect(await store.finish(record("m2", 200, "http_5xx"), "failure", 200)).toEqual({
      failure: { failingSince: 200 },
    });
    expect(await store.finish(record("m3", 300, "http_5xx"), "failure", 300)).toEqual({
      failure: { failingSince: 200, transition: { from: "closed", to: "open" } },
    });
    // Back-pressure (429, 409 in progress) is logged and does not touch the circuit.
    expect(await store.finish(record("m4", 400, "rate_limited"), "none", 400)).toEqual({});
    expect(await circuit.snapshot("ep")).toMatchObject({ state: "open", consecutiveFailures: 2, failingSince: 200 });

    expect(await store.finish(record("m5", 500), "success", 500)).toEqual({ closed: { from: "open", to: "closed" } });
    expect(await redis.exists(keys.circuit("ep"))).toBe(0);
    expect(JSON.parse((await redis.lrange(keys.logOfMessage("m3"), 0, -1))[0] ?? "{}")).toEqual(
      record("m3", 300, "http_5xx"),
    );
  });

  it("keeps the endpoint's log within its retention and its count limit, newest kept; message logs expire", async () => {
    const { keys, store } = fresh();
    const now = 100_000;
    await store.finish(record("old", now - 61_000), "success", now);
    for (let i = 0; i < 5; i++) await store.finish(record(`m${i}`, now + i), "success", now + i);
    const kept = (await redis.zrange(keys.logOfEndpoint("ep"), 0, -1)).map(
      (json) => (JSON.parse(json) as AttemptRecord).messageId,
    );
    expect(kept).toEqual(["m2", "m3", "m4"]);
    const ttl = await redis.ttl(keys.logOfMessage("m4"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.ttl(keys.logOfEndpoint("ep"))).toBeGreaterThan(0);
  });
});
