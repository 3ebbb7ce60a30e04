import { isWebhookError } from "@hooksec/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deliveryKeys } from "../src/lib/keys.js";
import { type RedisServer, redisAvailable, startRedisServer } from "./support/redis-server.js";
import { harness } from "./support/setup.js";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isWebhookError(error)) return error.code;
    throw error;
  }
  return "resolved";
}

describe.runIf(redisAvailable)("dispatch", () => {
  let redis: RedisServer;
  let h: ReturnType<typeof harness>;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => redis?.dispose());
  afterEach(async () => h?.close());

  it("returns once the job is persisted, with a message id fixed at enqueue time", async () => {
    h = harness(redis);
    const endpoint = await h.delivery.endpoints.create({ id: "ep1", url: "http://127.0.0.1:9/in" });
    const result = await h.delivery.dispatch(endpoint.id, { hello: "world" });
    expect(result.messageId).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(result.duplicate).toBe(false);
    const job = await h.delivery.queue.getJob(`ep1~~${result.messageId}`);
    expect(job?.data).toMatchObject({
      messageId: result.messageId,
      endpointId: "ep1",
      body: { text: '{"hello":"world"}' },
    });
    expect(job?.opts.attempts).toBe(10); // the Standard Webhooks schedule: immediately + 9 retries
  });

  it("never enqueues the same idempotency key twice, and answers with the first message id", async () => {
    h = harness(redis);
    await h.delivery.endpoints.create({ id: "ep1", url: "http://127.0.0.1:9/in" });
    const first = await h.delivery.dispatch("ep1", { n: 1 }, { idempotencyKey: "order-42" });
    const second = await h.delivery.dispatch("ep1", { n: 2 }, { idempotencyKey: "order-42" });
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () => h.delivery.dispatch("ep1", { n: 3 }, { idempotencyKey: "order-43" })),
    );
    expect(second).toEqual({ messageId: first.messageId, endpointIds: ["ep1"], duplicate: true });
    expect(new Set(concurrent.map((r) => r.messageId)).size).toBe(1);
    expect(concurrent.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await h.delivery.queue.count()).toBe(2);
    expect((await h.delivery.queue.getJob(`ep1~~${first.messageId}`))?.data.body).toEqual({ text: '{"n":1}' });
  });

  it("an explicit message id is itself idempotent", async () => {
    h = harness(redis);
    await h.delivery.endpoints.create({ id: "ep1", url: "http://127.0.0.1:9/in" });
    expect((await h.delivery.dispatch("ep1", "a", { id: "msg_fixed" })).duplicate).toBe(false);
    expect((await h.delivery.dispatch("ep1", "b", { id: "msg_fixed" })).duplicate).toBe(true);
    expect(await h.delivery.queue.count()).toBe(1);
  });

  it("fans an event out to the endpoints subscribed to its type, in one call, one message id", async () => {
    h = harness(redis);
    await h.delivery.endpoints.create({ id: "a", url: "http://127.0.0.1:9/a", eventTypes: ["invoice.paid"] });
    await h.delivery.endpoints.create({
      id: "b",
      url: "http://127.0.0.1:9/b",
      eventTypes: ["invoice.paid", "user.created"],
    });
    await h.delivery.endpoints.create({ id: "c", url: "http://127.0.0.1:9/c", eventTypes: ["user.created"] });
    await h.delivery.endpoints.create({ id: "all", url: "http://127.0.0.1:9/all" });
    await h.delivery.endpoints.create({ id: "off", url: "http://127.0.0.1:9/off", eventTypes: ["invoice.paid"] });
    await h.delivery.endpoints.disable("off");
    const result = await h.delivery.publish("invoice.paid", { id: "inv_1" }, { idempotencyKey: "inv_1" });
    expect([...result.endpointIds].sort()).toEqual(["a", "all", "b"]);
    expect(await h.delivery.queue.count()).toBe(3);
    const again = await h.delivery.publish("invoice.paid", { id: "inv_1" }, { idempotencyKey: "inv_1" });
    expect(again).toMatchObject({ messageId: result.messageId, duplicate: true });
    expect(await h.delivery.queue.count()).toBe(3);
    const jobs = await h.delivery.queue.getJobs(["wait"]);
    expect(new Set(jobs.map((job) => job.data.messageId))).toEqual(new Set([result.messageId]));
    expect(jobs.every((job) => job.data.eventType === "invoice.paid")).toBe(true);
  });

  it("refuses bad endpoints and payloads with a WebhookError code, queueing nothing", async () => {
    h = harness(redis, { ssrf: { allowHttp: true } }); // no loopback exception here
    expect(await codeOf(h.delivery.endpoints.create({ id: "private", url: "http://10.0.0.7/in" }))).toBe(
      "ssrf_blocked",
    );
    expect(await codeOf(h.delivery.endpoints.create({ id: "meta", url: "http://169.254.169.254/latest" }))).toBe(
      "ssrf_blocked",
    );
    expect(await codeOf(h.delivery.endpoints.create({ id: "v6", url: "http://[::1]:8080/in" }))).toBe("ssrf_blocked");
    expect(await codeOf(h.delivery.endpoints.create({ id: "ftp", url: "ftp://hooks.example.com/in" }))).toBe(
      "invalid_endpoint",
    );
    expect(await codeOf(h.delivery.endpoints.create({ id: "creds", url: "https://u:p@hooks.example.com/in" }))).toBe(
      "invalid_endpoint",
    );
    expect(await codeOf(h.delivery.endpoints.create({ id: "bad id!", url: "https://hooks.example.com/in" }))).toBe(
      "invalid_options",
    );
    expect(
      await codeOf(
        h.delivery.endpoints.create({
          id: "auth",
          url: "https://hooks.example.com/in",
          auth: { type: "bearer", token: "" },
        }),
      ),
    ).toBe("invalid_options");
    await h.delivery.endpoints.create({ id: "ok", url: "https://hooks.example.com/in" });
    expect(await codeOf(h.delivery.dispatch("missing", {}))).toBe("invalid_endpoint");
    expect(await codeOf(h.delivery.dispatch("ok", { n: 1n }))).toBe("invalid_options");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(await codeOf(h.delivery.dispatch("ok", cycle))).toBe("invalid_options");
    expect(await codeOf(h.delivery.dispatch("ok", undefined))).toBe("invalid_options");
    expect(await codeOf(h.delivery.dispatch("ok", {}, { id: "has space" }))).toBe("invalid_options");
    expect(await codeOf(h.delivery.publish("any", () => 1))).toBe("invalid_options");
    expect(await h.delivery.queue.count()).toBe(0);
    expect(await h.delivery.endpoints.list()).toEqual(["ok"]);
  });

  it("refuses a dispatch to a disabled endpoint with endpoint_disabled (whatever disabled it) until it is enabled", async () => {
    h = harness(redis);
    await h.delivery.endpoints.create({ id: "ep1", url: "http://127.0.0.1:9/in" });
    await h.delivery.endpoints.disable("ep1");
    expect(await codeOf(h.delivery.dispatch("ep1", {}))).toBe("endpoint_disabled");
    expect(await codeOf(h.delivery.dispatch("ep1", {}, { idempotencyKey: "k1" }))).toBe("endpoint_disabled");
    // Disabled by a worker (410 Gone, or failing for the failure period): the same flag, the same refusal.
    await h.client.set(
      deliveryKeys("hooksec", h.queueName).disabled("ep1"),
      JSON.stringify({ reason: "gone", at: Date.now() }),
    );
    expect(await codeOf(h.delivery.dispatch("ep1", {}))).toBe("endpoint_disabled");
    expect(await h.delivery.queue.count()).toBe(0);
    // The refused key was not claimed: once enabled, it queues.
    await h.delivery.endpoints.enable("ep1");
    expect(await h.delivery.dispatch("ep1", {}, { idempotencyKey: "k1" })).toMatchObject({ duplicate: false });
    expect(await h.delivery.queue.count()).toBe(1);
  });

  it("refuses an update to a URL the sender would refuse, keeping the stored endpoint", async () => {
    h = harness(redis, { ssrf: { allowHttp: true } });
    await h.delivery.endpoints.create({ id: "ep1", url: "https://hooks.example.com/in" });
    expect(await codeOf(h.delivery.endpoints.update("ep1", { url: "http://10.0.0.7/in" }))).toBe("ssrf_blocked");
    expect(await codeOf(h.delivery.endpoints.update("ep1", { url: "ftp://hooks.example.com/in" }))).toBe(
      "invalid_endpoint",
    );
    expect(await codeOf(h.delivery.endpoints.update("missing", { url: "https://hooks.example.com/in" }))).toBe(
      "invalid_endpoint",
    );
    expect((await h.delivery.endpoints.get("ep1"))?.endpoint.url).toBe("https://hooks.example.com/in");
    expect((await h.delivery.endpoints.update("ep1", { url: "https://other.example.com/in" })).url).toBe(
      "https://other.example.com/in",
    );
    expect((await h.delivery.endpoints.get("ep1"))?.endpoint.url).toBe("https://other.example.com/in");
  });

  it("an endpoint whose stored URL became refused (options changed) is refused at dispatch", async () => {
    const permissive = harness(redis, { ssrf: { allowHttp: true, allowCidrs: ["10.0.0.0/8"] } });
    await permissive.delivery.endpoints.create({ id: "internal", url: "http://10.1.2.3/in" });
    h = harness(redis, { queueName: permissive.queueName, ssrf: { allowHttp: true } });
    expect(await codeOf(h.delivery.dispatch("internal", {}))).toBe("ssrf_blocked");
    expect(await h.delivery.queue.count()).toBe(0);
    await permissive.close();
  });

  it("keeps bytes as given", async () => {
    h = harness(redis);
    await h.delivery.endpoints.create({ id: "ep1", url: "http://127.0.0.1:9/in" });
    const bytes = new Uint8Array([0, 255, 1, 2]);
    const { messageId } = await h.delivery.dispatch("ep1", bytes);
    expect((await h.delivery.queue.getJob(`ep1~~${messageId}`))?.data.body).toEqual({ base64: "AP8BAg==" });
  });

  it("of concurrent creates of one id exactly one succeeds, and only its record and subscriptions are stored", async () => {
    h = harness(redis);
    const keys = deliveryKeys("hooksec", h.queueName);
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, n) =>
        h.delivery.endpoints.create({ id: "same", url: `http://127.0.0.1:9/${n}`, eventTypes: [`type.${n}`] }),
      ),
    );
    const won = attempts.flatMap((attempt) => (attempt.status === "fulfilled" ? [attempt.value] : []));
    const lost = attempts.flatMap((attempt) => (attempt.status === "rejected" ? [attempt.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((error) => (isWebhookError(error) ? error.code : String(error)))).toEqual(
      Array(7).fill("invalid_options"),
    );
    const winner = won[0];
    expect((await h.delivery.endpoints.get("same"))?.endpoint).toEqual(winner);
    for (let n = 0; n < 8; n++) {
      const subscribed = await h.client.sismember(keys.subscribers(`type.${n}`), "same");
      expect(subscribed).toBe(winner?.eventTypes[0] === `type.${n}` ? 1 : 0);
    }
    expect(await h.delivery.endpoints.list()).toEqual(["same"]);
  });

  it("remove takes the endpoint's subscriptions, disabled flag and circuit with it: the id created again starts enabled and closed", async () => {
    h = harness(redis);
    const keys = deliveryKeys("hooksec", h.queueName);
    await h.delivery.endpoints.create({ id: "ep1", url: "http://127.0.0.1:9/in", eventTypes: ["invoice.paid"] });
    await h.delivery.endpoints.disable("ep1");
    await h.client.hset(keys.circuit("ep1"), { state: "open", openedAt: Date.now(), failures: 9 });
    expect((await h.delivery.endpoints.get("ep1"))?.circuit.state).toBe("open");

    expect(await h.delivery.endpoints.remove("ep1")).toBe(true);
    expect(await h.delivery.endpoints.remove("ep1")).toBe(false);
    expect(await h.client.exists(keys.endpoint("ep1"), keys.disabled("ep1"), keys.circuit("ep1"))).toBe(0);
    expect(await h.client.sismember(keys.subscribers("invoice.paid"), "ep1")).toBe(0);
    expect(await h.delivery.endpoints.list()).toEqual([]);

    await h.delivery.endpoints.create({ id: "ep1", url: "http://127.0.0.1:9/again" });
    const again = await h.delivery.endpoints.get("ep1");
    expect(again?.disabled).toBeUndefined();
    expect(again?.circuit.state).toBe("closed");
    expect((await h.delivery.dispatch("ep1", { n: 1 })).endpointIds).toEqual(["ep1"]);
  });

  it("a remove racing an update never leaves the removed id subscribed", async () => {
    h = harness(redis);
    const keys = deliveryKeys("hooksec", h.queueName);
    for (let round = 0; round < 20; round++) {
      const id = `race${round}`;
      await h.delivery.endpoints.create({ id, url: "http://127.0.0.1:9/in", eventTypes: ["a"] });
      const [updated, removed] = await Promise.allSettled([
        h.delivery.endpoints.update(id, { eventTypes: ["b", "c"] }),
        h.delivery.endpoints.remove(id),
      ]);
      expect(removed).toEqual({ status: "fulfilled", value: true });
      // The update either landed first (and was then removed) or found no endpoint.
      if (updated.status === "rejected")
        expect(isWebhookError(updated.reason) && updated.reason.code).toBe("invalid_endpoint");
      for (const type of ["a", "b", "c"]) expect(await h.client.sismember(keys.subscribers(type), id)).toBe(0);
      expect(await h.client.exists(keys.endpoint(id))).toBe(0);
    }
  });
});
