import type { Delivery, DeliveryEvent } from "@hooksec/delivery";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ATTR,
  type DeliveryTelemetryEvent,
  type JobCountSource,
  METRIC,
  SPAN,
  createWebhookTelemetry,
} from "../src/index.js";
import { createTestSdk, summarize } from "./support/sdk.js";

// What a worker and a dispatcher report over a message's life: queued, a failed attempt that
// opens the circuit, a deferral, a success, then another message that ends as a dead letter.
const events: DeliveryEvent[] = [
  { type: "dispatched", messageId: "msg_1", endpointId: "ep_a", eventType: "invoice.paid", duplicate: false },
  { type: "dispatched", messageId: "msg_1", endpointId: "ep_a", eventType: "invoice.paid", duplicate: true },
  {
    type: "attempt",
    messageId: "msg_1",
    endpointId: "ep_a",
    attempt: 1,
    outcome: "http_5xx",
    status: 503,
    durationMs: 40,
    retryInMs: 5000,
  },
  { type: "circuit", endpointId: "ep_a", from: "closed", to: "open" },
  { type: "deferred", messageId: "msg_1", endpointId: "ep_a", reason: "circuit_open", untilMs: 60_000 },
  { type: "circuit", endpointId: "ep_a", from: "open", to: "half_open" },
  {
    type: "attempt",
    messageId: "msg_1",
    endpointId: "ep_a",
    attempt: 2,
    outcome: "success",
    status: 204,
    durationMs: 25,
  },
  { type: "circuit", endpointId: "ep_a", from: "half_open", to: "closed" },
  { type: "delivered", messageId: "msg_1", endpointId: "ep_a", attempts: 2 },
  { type: "attempt", messageId: "msg_2", endpointId: "ep_b", attempt: 1, outcome: "timeout", durationMs: 15_000 },
  { type: "attempt", messageId: "msg_2", endpointId: "ep_b", attempt: 2, outcome: "gone", status: 410, durationMs: 12 },
  { type: "endpoint_disabled", endpointId: "ep_b", reason: "gone" },
  { type: "dead_letter", messageId: "msg_2", endpointId: "ep_b", reason: "gone", attempts: 2 },
  { type: "circuit", endpointId: "ep_b", from: "closed", to: "open" },
  { type: "endpoint_enabled", endpointId: "ep_b" },
  { type: "redelivered", messageId: "msg_2", endpointId: "ep_b" },
];

describe("durable delivery events", () => {
  it("@hooksec/delivery's events and queue fit what this package reads", () => {
    expectTypeOf<DeliveryEvent>().toMatchTypeOf<DeliveryTelemetryEvent>();
    expectTypeOf<Delivery["queue"]>().toMatchTypeOf<JobCountSource>();
  });

  it("attempts, outcomes, dead letters, circuit transitions and state, endpoint changes", async () => {
    const sdk = createTestSdk();
    const telemetry = createWebhookTelemetry({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider });
    for (const event of events) telemetry.onDeliveryEvent(event);

    expect(summarize(await sdk.points(METRIC.deliveryAttempts))).toEqual(
      summarize([
        { attributes: { [ATTR.outcome]: "http_5xx", [ATTR.httpStatus]: 503, [ATTR.errorType]: "503" }, value: 1 },
        { attributes: { [ATTR.outcome]: "success", [ATTR.httpStatus]: 204 }, value: 1 },
        { attributes: { [ATTR.outcome]: "timeout", [ATTR.errorType]: "timeout" }, value: 1 },
        { attributes: { [ATTR.outcome]: "gone", [ATTR.httpStatus]: 410, [ATTR.errorType]: "410" }, value: 1 },
      ] as never),
    );
    const durations = await sdk.histogram(METRIC.deliveryAttemptDuration);
    expect(durations.find((point) => point.attributes[ATTR.outcome] === "timeout")?.value.sum).toBe(15);
    expect(summarize(await sdk.points(METRIC.deliveryDispatched))).toEqual([
      { attributes: { [ATTR.outcome]: "duplicate" }, value: 1 },
      { attributes: { [ATTR.outcome]: "queued" }, value: 1 },
    ]);
    expect(summarize(await sdk.points(METRIC.deliveryDelivered))).toEqual([{ attributes: {}, value: 1 }]);
    expect(summarize(await sdk.points(METRIC.deliveryDeferred))).toEqual([{ attributes: {}, value: 1 }]);
    expect(summarize(await sdk.points(METRIC.deliveryRedelivered))).toEqual([{ attributes: {}, value: 1 }]);
    expect(summarize(await sdk.points(METRIC.deliveryDeadLetters))).toEqual([
      { attributes: { [ATTR.deadLetterReason]: "gone" }, value: 1 },
    ]);
    expect(summarize(await sdk.points(METRIC.circuitTransitions))).toEqual(
      summarize([
        { attributes: { [ATTR.circuitState]: "open" }, value: 2 },
        { attributes: { [ATTR.circuitState]: "half_open" }, value: 1 },
        { attributes: { [ATTR.circuitState]: "closed" }, value: 1 },
      ] as never),
    );
    expect(summarize(await sdk.points(METRIC.endpointChanges))).toEqual(
      summarize([
        { attributes: { [ATTR.endpointState]: "disabled", [ATTR.disabledReason]: "gone" }, value: 1 },
        { attributes: { [ATTR.endpointState]: "enabled" }, value: 1 },
      ] as never),
    );
    // The circuit gauge is per endpoint by nature: 1 for its current state.
    const state = (await sdk.points(METRIC.circuitState)).filter((point) => point.value === 1);
    expect(summarize(state)).toEqual([
      { attributes: { [ATTR.endpointId]: "ep_a", [ATTR.circuitState]: "closed" }, value: 1 },
      { attributes: { [ATTR.endpointId]: "ep_b", [ATTR.circuitState]: "open" }, value: 1 },
    ]);
    expect(await sdk.points(METRIC.circuitState)).toHaveLength(6);

    const spans = sdk.finishedSpans();
    expect(spans.map((span) => [span.name, span.kind])).toEqual(Array(4).fill([SPAN.attempt, SpanKind.CLIENT]));
    expect(spans[1]?.attributes).toEqual({
      [ATTR.httpMethod]: "POST",
      [ATTR.messagingMessageId]: "msg_1",
      [ATTR.endpointId]: "ep_a",
      [ATTR.outcome]: "success",
      [ATTR.resendCount]: 1,
      [ATTR.httpStatus]: 204,
    });
    expect(spans[2]?.status).toEqual({ code: SpanStatusCode.ERROR, message: "timeout" });
    await sdk.shutdown();
  });

  it("endpoint opt-in puts the endpoint id on delivery metrics", async () => {
    const sdk = createTestSdk();
    const telemetry = createWebhookTelemetry({
      meterProvider: sdk.meterProvider,
      traces: false,
      attributes: { endpoint: true },
    });
    telemetry.onDeliveryEvent({
      type: "dead_letter",
      messageId: "m",
      endpointId: "ep_c",
      reason: "exhausted",
      attempts: 10,
    });
    expect(summarize(await sdk.points(METRIC.deliveryDeadLetters))).toEqual([
      { attributes: { [ATTR.endpointId]: "ep_c", [ATTR.deadLetterReason]: "exhausted" }, value: 1 },
    ]);
    await sdk.shutdown();
  });

  it(`${METRIC.queueDepth}: the queue's job counts at each collection, until stopped`, async () => {
    const sdk = createTestSdk();
    const telemetry = createWebhookTelemetry({ meterProvider: sdk.meterProvider, traces: false });
    const asked: string[][] = [];
    let waiting = 12;
    const queue: JobCountSource = {
      name: "hooksec-delivery",
      async getJobCounts(...types) {
        asked.push(types);
        return { waiting, delayed: 3, active: 2, failed: 1 };
      },
    };
    const stop = telemetry.observeQueue(queue);
    const depth = async () =>
      Object.fromEntries(
        (await sdk.points(METRIC.queueDepth)).map((point) => [point.attributes[ATTR.jobState], point.value]),
      );
    expect(await depth()).toEqual({ waiting: 12, delayed: 3, active: 2, prioritized: 0, paused: 0, failed: 1 });
    waiting = 4;
    expect((await depth()).waiting).toBe(4);
    expect((await sdk.points(METRIC.queueDepth))[0]?.attributes[ATTR.messagingDestination]).toBe("hooksec-delivery");
    expect(asked[0]).toEqual(["waiting", "delayed", "active", "prioritized", "paused", "failed"]);
    stop();
    const calls = asked.length;
    await sdk.points(METRIC.queueDepth);
    expect(asked.length).toBe(calls);
    await sdk.shutdown();
  });
});
