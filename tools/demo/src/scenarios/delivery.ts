// Durable delivery with @hooksec/delivery on BullMQ: the dispatching side
// (createDelivery), a worker (createDeliveryWorker) and a receiver (the Koa app
// with its replay state in Redis through @hooksec/redis). The retry schedule is
// compressed from hours to a second or two; the code is otherwise what runs in production.
import {
  type DeliveryConnectionOptions,
  type DeliveryEvent,
  createDelivery,
  createDeliveryWorker,
} from "@hooksec/delivery";
import { standardWebhooks } from "@hooksec/koa";
import { createRedisReplayStore } from "@hooksec/redis";
import { Redis } from "ioredis";
import type { Check } from "../report.js";
import { startReceiverApp } from "../receiver-app.js";
import type { Cleanup } from "../support/cleanup.js";
import { freePort } from "../support/net.js";
import { newSecret } from "../support/secrets.js";
import { until } from "../support/until.js";

// Instead of the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, ... 24 h).
const retry = { delaysMs: [300, 1000, 2000, 4000], jitter: 0 };
// Loopback over plain HTTP is opted into explicitly: by default both are refused.
const ssrf = { allowHttp: true, allowCidrs: ["127.0.0.0/8"] };

type Connection = DeliveryConnectionOptions["connection"];

export async function deliveryScenarios(cleanup: Cleanup, redisPort: number): Promise<Check[]> {
  const connection = { host: "127.0.0.1", port: redisPort };
  return [...(await receiverDownForAWhile(cleanup, connection)), ...(await deadEndpoint(cleanup, connection))];
}

/** Shared by the dispatching side and its workers: the same Redis, queue, schedule and SSRF rules. */
function deliverySetup(cleanup: Cleanup, connection: Connection, queueName: string) {
  const events: DeliveryEvent[] = [];
  const options = { connection, queueName, retry, ssrf, onEvent: (event: DeliveryEvent) => void events.push(event) };
  const delivery = createDelivery(options);
  cleanup.add(() => delivery.close());
  return { delivery, events, options };
}

async function receiverDownForAWhile(cleanup: Cleanup, connection: Connection): Promise<Check[]> {
  const { delivery, events, options } = deliverySetup(cleanup, connection, "demo-receiver-down");
  const worker = createDeliveryWorker(options);
  cleanup.add(() => worker.close());

  // The customer's endpoint: nothing listens on its port yet.
  const secret = newSecret();
  const port = await freePort();
  const endpoint = await delivery.endpoints.create({
    url: `http://127.0.0.1:${port}/webhooks`,
    secret,
    eventTypes: ["invoice.paid"],
  });
  const payload = { type: "invoice.paid", invoice: "inv_1" };
  const dispatched = await delivery.dispatch(endpoint.id, payload, { idempotencyKey: "inv_1" });
  const again = await delivery.dispatch(endpoint.id, payload, { idempotencyKey: "inv_1" });
  const { messageId } = dispatched;
  const attempts = () => events.filter((event) => event.type === "attempt" && event.messageId === messageId);
  await until(() => attempts().length >= 2);

  // The receiver comes up on that port; its replay state lives in Redis, shared by all its instances.
  const redis = new Redis({ ...connection, enableOfflineQueue: false });
  redis.on("error", () => {}); // it reconnects by itself; the store answers 503 meanwhile
  cleanup.add(() => redis.disconnect());
  await until(() => redis.status === "ready");
  const handled: string[] = [];
  const app = await startReceiverApp({
    port,
    receiver: { scheme: standardWebhooks({ secret }), replay: { store: createRedisReplayStore({ client: redis }) } },
    handle: async (webhook) => void handled.push(webhook.id),
  });
  cleanup.add(() => app.close());
  const delivered = await until(() =>
    events.some((event) => event.type === "delivered" && event.messageId === messageId),
  );
  const log = await delivery.log.ofMessage(messageId);
  const failures = log.slice(0, -1);
  const last = log.at(-1);

  return [
    {
      ok: !dispatched.duplicate && again.duplicate && again.messageId === messageId,
      scenario: "dispatch invoice.paid twice (idempotency key inv_1)",
      expected: "queued once",
      got: again.duplicate && again.messageId === messageId ? `queued once as ${messageId}` : "queued twice",
      why: "persisted in Redis before dispatch() resolves; the message id is fixed now",
    },
    {
      ok: failures.length >= 2 && failures.every((attempt) => attempt.outcome === "connection_error"),
      scenario: "attempts while the receiver is down",
      expected: "connection_error, retried",
      got: failures
        .map(
          (attempt) =>
            `${attempt.outcome}${attempt.retryInMs === undefined ? "" : ` (retry in ${attempt.retryInMs} ms)`}`,
        )
        .join(", "),
      why: `the schedule here is ${retry.delaysMs.join(", ")} ms instead of 5 s ... 24 h`,
    },
    {
      ok: delivered && last?.outcome === "success" && last.messageId === messageId,
      scenario: "the receiver comes up",
      expected: "delivered, same message id",
      got: delivered ? `delivered on attempt ${last?.attempt ?? "?"} (${last?.status ?? "-"})` : "not delivered",
      why: "the receiver verifies the signature made with the endpoint's secret",
    },
    {
      ok: handled.length === 1 && handled[0] === messageId,
      scenario: "invoice.paid handled",
      expected: "once",
      got: handled.length === 1 ? "once" : `${handled.length} times`,
    },
  ];
}

async function deadEndpoint(cleanup: Cleanup, connection: Connection): Promise<Check[]> {
  const { delivery, events, options } = deliverySetup(cleanup, connection, "demo-dead-endpoint");
  const failureThreshold = 3;
  // One job at a time, so the count of attempts before the circuit opens is exact.
  const worker = createDeliveryWorker({
    ...options,
    concurrency: 1,
    circuit: { failureThreshold, cooldownMs: 60_000 },
  });
  cleanup.add(() => worker.close());

  const port = await freePort(); // and nothing will ever listen there
  const endpoint = await delivery.endpoints.create({
    url: `http://127.0.0.1:${port}/webhooks`,
    eventTypes: ["order.created"],
  });
  const messages = 4;
  for (let n = 1; n <= messages; n++) await delivery.dispatch(endpoint.id, { type: "order.created", order: n });
  const attempts = () => events.filter((event) => event.type === "attempt" && event.endpointId === endpoint.id).length;
  const opened = await until(() =>
    events.some((event) => event.type === "circuit" && event.endpointId === endpoint.id && event.to === "open"),
  );
  const attemptsWhenOpened = attempts();
  // Every message comes back (its retry, or its first attempt) and meets the open circuit.
  const deferredIds = () => new Set(events.flatMap((event) => (event.type === "deferred" ? [event.messageId] : [])));
  await until(() => deferredIds().size === messages);
  const status = await delivery.endpoints.get(endpoint.id);

  return [
    {
      ok: opened && attemptsWhenOpened === failureThreshold,
      scenario: `${messages} deliveries to a dead endpoint`,
      expected: `circuit opens after ${failureThreshold} failures`,
      got: opened ? `opened after ${attemptsWhenOpened} failed attempt(s)` : "still closed",
      why: "the circuit is per endpoint, in Redis, shared by every worker",
    },
    {
      ok: deferredIds().size === messages && attempts() === attemptsWhenOpened,
      scenario: "deliveries while the circuit is open",
      expected: "deferred, nothing sent",
      got: `${deferredIds().size} deferred, ${attempts() - attemptsWhenOpened} sent`,
      why: "they wait for the cool-down (60 s here) without spending an attempt; then one probe",
    },
    {
      ok: status?.circuit.state === "open",
      scenario: "delivery.endpoints.get(endpoint)",
      expected: "circuit open",
      got: `circuit ${status?.circuit.state ?? "?"}, ${status?.circuit.consecutiveFailures ?? "?"} consecutive failures`,
    },
  ];
}
