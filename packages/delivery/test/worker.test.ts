import { createNodeTransport } from "@hooksec/core/sender/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AttemptRecord } from "../src/index.js";
import { startReceiver, type TestReceiver } from "./support/receiver.js";
import { eventually, type RedisServer, redisAvailable, sleep, startRedisServer } from "./support/redis-server.js";
import { harness } from "./support/setup.js";

const SECRET = `whsec_${Buffer.from("hooksec delivery test secret 32b").toString("base64")}`;
// A compressed schedule: the offsets are what is asserted, not their size.
const retry = { delaysMs: [200, 400, 600], jitter: 0 };

describe.runIf(redisAvailable)("workers", () => {
  let redis: RedisServer;
  let receiver: TestReceiver;
  let h: ReturnType<typeof harness>;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => redis?.dispose());
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
  });

  async function setup(options: Parameters<typeof harness>[1] = {}) {
    receiver = await startReceiver([SECRET]);
    h = harness(redis, { retry, ...options });
    await h.delivery.endpoints.create({ id: "ep", url: receiver.url, secret: SECRET });
  }

  const deliveredOf = (messageId: string) => async () =>
    h.events.some((e) => e.type === "delivered" && e.messageId === messageId);
  const deadOf = (messageId: string) => async () =>
    h.events.some((e) => e.type === "dead_letter" && e.messageId === messageId);

  it("delivers with the core sender: signed Standard Webhooks, the dispatched id, every attempt logged", async () => {
    await setup();
    h.startWorker();
    const { messageId } = await h.delivery.dispatch("ep", { hello: "world" });
    expect(await eventually(deliveredOf(messageId))).toBe(true);
    expect(receiver.processed).toMatchObject([{ id: messageId, body: '{"hello":"world"}' }]);
    const log = await h.delivery.log.ofMessage(messageId);
    expect(log).toMatchObject([
      { messageId, endpointId: "ep", attempt: 1, outcome: "success", status: 200, responseExcerpt: "ok" },
    ]);
    expect(await h.delivery.log.ofEndpoint("ep")).toEqual(log);
    expect(h.events.find((e) => e.type === "attempt")).toMatchObject({ outcome: "success", status: 200, attempt: 1 });
  });

  it("retries 5xx and timeouts at the configured offsets with the same message id, then delivers", async () => {
    await setup();
    receiver.script = (_request, attempt) =>
      attempt <= 2 ? { status: 503 } : attempt === 3 ? { status: 500 } : undefined;
    h.startWorker();
    const { messageId } = await h.delivery.dispatch("ep", "x");
    expect(await eventually(deliveredOf(messageId))).toBe(true);
    const times = receiver.requests.map((r) => r.at);
    expect(receiver.requests.map((r) => r.id)).toEqual([messageId, messageId, messageId, messageId]);
    const gaps = times.slice(1).map((at, i) => at - (times[i] ?? 0));
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((retry.delaysMs[i] ?? 0) - 20);
      expect(gap).toBeLessThan((retry.delaysMs[i] ?? 0) + 1500);
    });
    const log = await h.delivery.log.ofMessage(messageId);
    expect(log.map((a: AttemptRecord) => [a.attempt, a.outcome, a.status, a.retryInMs])).toEqual([
      [1, "http_5xx", 503, 200],
      [2, "http_5xx", 503, 400],
      [3, "http_5xx", 500, 600],
      [4, "success", 200, undefined],
    ]);
  });

  it("honours Retry-After on 429, 503 and 409 message_in_progress, capped", async () => {
    await setup({ retry: { delaysMs: [50, 50, 50], jitter: 0, maxRetryAfterMs: 1500 } });
    receiver.script = (_request, attempt) => {
      if (attempt === 1) return { status: 429, headers: { "retry-after": "1" } };
      if (attempt === 2)
        return {
          status: 409,
          headers: { "retry-after": "1" },
          body: JSON.stringify({ error: { code: "message_in_progress" } }),
        };
      if (attempt === 3) return { status: 503, headers: { "retry-after": "3600" } };
      return undefined;
    };
    h.startWorker();
    const { messageId } = await h.delivery.dispatch("ep", "x");
    expect(await eventually(deliveredOf(messageId), 15_000)).toBe(true);
    const log = await h.delivery.log.ofMessage(messageId);
    expect(log.map((a) => [a.outcome, a.retryInMs])).toEqual([
      ["rate_limited", 1000],
      ["in_progress", 1000],
      ["http_5xx", 1500],
      ["success", undefined],
    ]);
    const times = receiver.requests.map((r) => r.at);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(980);
    expect((times[3] ?? 0) - (times[2] ?? 0)).toBeGreaterThanOrEqual(1480);
    // Back-pressure is not ill health: the circuit saw no failure.
    expect((await h.delivery.endpoints.get("ep"))?.circuit.consecutiveFailures).toBe(0);
  }, 30_000);

  it("a real receiver's 409 message_in_progress (its handler still runs the timed-out attempt) is retried after Retry-After", async () => {
    await setup({ retry: { delaysMs: [50, 50, 50], jitter: 0, maxRetryAfterMs: 2500 } });
    receiver.handlerDelayMs = 1500;
    h.startWorker({ timeouts: { totalMs: 400 } });
    const { messageId } = await h.delivery.dispatch("ep", "x");
    expect(await eventually(deliveredOf(messageId), 15_000)).toBe(true);
    const log = await h.delivery.log.ofMessage(messageId);
    expect(log.map((a) => a.outcome)).toEqual(["timeout", "in_progress", "success"]);
    expect(log[1]?.retryInMs).toBeGreaterThanOrEqual(1000);
    expect(receiver.processed.map((p) => p.id)).toEqual([messageId]);
  }, 30_000);

  it("410 Gone disables the endpoint and dead-letters the message; re-enabling and redelivering sends it", async () => {
    await setup();
    receiver.script = () => ({ status: 410 });
    h.startWorker();
    const { messageId } = await h.delivery.dispatch("ep", "x");
    expect(await eventually(deadOf(messageId))).toBe(true);
    expect(receiver.requests).toHaveLength(1);
    expect((await h.delivery.endpoints.get("ep"))?.disabled?.reason).toBe("gone");
    expect(h.events).toContainEqual({ type: "endpoint_disabled", endpointId: "ep", reason: "gone" });
    expect(await h.delivery.deadLetters.list({ endpointId: "ep" })).toMatchObject([
      { messageId, reason: "gone", attempts: 1 },
    ]);
    receiver.script = undefined;
    // Still disabled: a redelivery is refused as a dispatch is, and moves nothing.
    await expect(h.delivery.redeliver(messageId)).rejects.toMatchObject({ code: "endpoint_disabled" });
    await expect(h.delivery.redeliverAll("ep")).rejects.toMatchObject({ code: "endpoint_disabled" });
    expect(await h.delivery.deadLetters.list({ endpointId: "ep" })).toMatchObject([{ messageId, reason: "gone" }]);
    await h.delivery.endpoints.enable("ep");
    expect(await h.delivery.redeliver(messageId)).toBe(1);
    expect(await eventually(deliveredOf(messageId))).toBe(true);
    expect(receiver.processed.map((p) => p.id)).toEqual([messageId]);
    expect(await h.delivery.deadLetters.list({ endpointId: "ep" })).toEqual([]);
  });

  it("other 4xx are not retried; an exhausted schedule is a dead letter; redeliverAll sends them again with the same ids", async () => {
    await setup();
    receiver.script = (request) => (request.headers["webhook-id"] === "msg_reject" ? { status: 400 } : { status: 500 });
    h.startWorker({ circuit: { failureThreshold: 1000 } });
    const since = Date.now();
    await h.delivery.dispatch("ep", "a", { id: "msg_reject" });
    await h.delivery.dispatch("ep", "b", { id: "msg_exhaust" });
    expect(
      await eventually(async () => (await deadOf("msg_reject")()) && (await deadOf("msg_exhaust")()), 15_000),
    ).toBe(true);
    expect(receiver.requests.filter((r) => r.id === "msg_reject")).toHaveLength(1);
    expect(receiver.requests.filter((r) => r.id === "msg_exhaust")).toHaveLength(4);
    const letters = await h.delivery.deadLetters.list({ endpointId: "ep", since });
    expect(letters.map((l) => [l.messageId, l.reason, l.attempts]).sort()).toEqual([
      ["msg_exhaust", "exhausted", 4],
      ["msg_reject", "rejected", 1],
    ]);
    receiver.script = undefined;
    expect(await h.delivery.redeliverAll("ep", since)).toBe(2);
    expect(await eventually(async () => receiver.processed.length === 2, 10_000)).toBe(true);
    expect(receiver.processed.map((p) => p.id).sort()).toEqual(["msg_exhaust", "msg_reject"]);
    expect(await h.delivery.redeliverAll("ep", since)).toBe(0);
  }, 30_000);

  it("the circuit opens after N consecutive failures across two workers, probes after the cool-down, closes on success", async () => {
    await setup({ retry: { delaysMs: [50, 50, 50, 50, 50, 50, 50, 50], jitter: 0 } });
    let down = true;
    receiver.script = () => (down ? { status: 500 } : undefined);
    const circuit = { failureThreshold: 3, cooldownMs: 1500, probeLeaseMs: 5000 };
    h.startWorker({ circuit, concurrency: 2 });
    h.startWorker({ circuit, concurrency: 2 });
    const ids = await Promise.all([1, 2, 3, 4, 5].map((n) => h.delivery.dispatch("ep", { n })));
    expect(await eventually(async () => h.events.some((e) => e.type === "circuit" && e.to === "open"), 10_000)).toBe(
      true,
    );
    await sleep(300);
    const requestsWhileOpen = receiver.requests.length;
    expect(h.events.some((e) => e.type === "deferred")).toBe(true);
    await sleep(600); // still inside the cool-down: nobody sends
    expect(receiver.requests.length).toBe(requestsWhileOpen);
    down = false;
    expect(await eventually(async () => receiver.processed.length === 5, 20_000)).toBe(true);
    const transitions = h.events
      .filter((e) => e.type === "circuit")
      .map((e) => (e.type === "circuit" ? `${e.from}>${e.to}` : ""));
    expect(transitions).toContain("closed>open");
    expect(transitions).toContain("open>half_open");
    expect(transitions.at(-1)).toBe("half_open>closed");
    expect(new Set(receiver.processed.map((p) => p.id))).toEqual(new Set(ids.map((d) => d.messageId)));
    expect((await h.delivery.endpoints.get("ep"))?.circuit.state).toBe("closed");
  }, 40_000);

  it("an endpoint failing continuously for the failure period is disabled (with an event); enable() turns it back on", async () => {
    await setup({ retry: { delaysMs: [100, 100, 100, 100, 100, 100, 100, 100], jitter: 0 } });
    receiver.script = () => ({ status: 502 });
    h.startWorker({ disableAfterMs: 300, circuit: { failureThreshold: 1000 } });
    const { messageId } = await h.delivery.dispatch("ep", "x");
    expect(await eventually(deadOf(messageId), 10_000)).toBe(true);
    expect(h.events).toContainEqual({ type: "endpoint_disabled", endpointId: "ep", reason: "failing" });
    expect((await h.delivery.deadLetters.list({}))[0]).toMatchObject({ messageId, reason: "endpoint_disabled" });
    const status = await h.delivery.endpoints.get("ep");
    expect(status?.disabled?.reason).toBe("failing");
    await expect(h.delivery.dispatch("ep", "y")).rejects.toMatchObject({ code: "endpoint_disabled" });
    await h.delivery.endpoints.enable("ep");
    expect(h.events).toContainEqual({ type: "endpoint_enabled", endpointId: "ep" });
    expect((await h.delivery.endpoints.get("ep"))?.circuit).toEqual({ state: "closed", consecutiveFailures: 0 });
    receiver.script = undefined;
    const next = await h.delivery.dispatch("ep", "y");
    expect(await eventually(deliveredOf(next.messageId))).toBe(true);
  }, 30_000);

  it("secret rotation: both signatures during the grace period, only the new one after it", async () => {
    await setup();
    h.startWorker();
    const newSecret = await h.delivery.endpoints.rotateSecret("ep", { graceMs: 1500 });
    // A receiver still on the old secret accepts during the grace period...
    const during = await h.delivery.dispatch("ep", "during-old");
    expect(await eventually(deliveredOf(during.messageId))).toBe(true);
    expect(receiver.processed.at(-1)?.signature.split(" ")).toHaveLength(2);
    // ...and so does one already on the new secret.
    receiver.useSecrets([newSecret]);
    const switched = await h.delivery.dispatch("ep", "during-new");
    expect(await eventually(deliveredOf(switched.messageId))).toBe(true);
    await sleep(1600);
    const after = await h.delivery.dispatch("ep", "after-new");
    expect(await eventually(deliveredOf(after.messageId))).toBe(true);
    expect(receiver.processed.at(-1)?.signature.split(" ")).toHaveLength(1);
    // After the grace period a receiver on the old secret refuses (401: not retried).
    receiver.useSecrets([SECRET]);
    const refused = await h.delivery.dispatch("ep", "after-old");
    expect(await eventually(deadOf(refused.messageId))).toBe(true);
    expect((await h.delivery.log.ofMessage(refused.messageId))[0]).toMatchObject({ status: 401, outcome: "http_4xx" });
  }, 30_000);

  it("a DNS answer that changes to a private address is refused at connect time (stubbed resolver)", async () => {
    await setup();
    const port = new URL(receiver.url).port;
    await h.delivery.endpoints.create({ id: "named", url: `http://hooks.test:${port}/webhook`, secret: SECRET });
    let answer = "127.0.0.1";
    const transport = createNodeTransport({ resolve: async () => [answer] });
    h.startWorker({ transport });
    const first = await h.delivery.dispatch("named", "x");
    expect(await eventually(deliveredOf(first.messageId))).toBe(true);
    answer = "10.0.0.8"; // rebinding: never connected to
    receiver.dropConnections(); // a pooled connection stays on the address checked when it opened
    const second = await h.delivery.dispatch("named", "y");
    expect(await eventually(deadOf(second.messageId))).toBe(true);
    expect((await h.delivery.log.ofMessage(second.messageId))[0]).toMatchObject({ outcome: "ssrf_blocked" });
    expect((await h.delivery.deadLetters.list({ endpointId: "named" }))[0]).toMatchObject({ reason: "ssrf_blocked" });
    expect(receiver.requests.map((r) => r.id)).toEqual([first.messageId]);
  });
});
