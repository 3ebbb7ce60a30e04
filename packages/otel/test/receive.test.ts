import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATTR, METRIC, SPAN, createWebhookTelemetry } from "../src/index.js";
import { createTestSdk, summarize } from "./support/sdk.js";
import { ACME_SUBJECT, GLOBEX_SUBJECT, runScript } from "./support/script.js";

const sdk = createTestSdk();
const telemetry = createWebhookTelemetry({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider });
const httpTracer = sdk.tracerProvider.getTracer("http-instrumentation");
/** What HTTP instrumentation does: the request runs inside a SERVER span. */
const httpSpanIds = new Map<string, string>();
let results: Record<string, unknown>;

beforeAll(async () => {
  results = await runScript(telemetry.onEvent, (name, run) =>
    httpTracer.startActiveSpan(`POST /webhooks ${name}`, { kind: SpanKind.SERVER }, async (span) => {
      httpSpanIds.set(name, span.spanContext().spanId);
      try {
        return await run();
      } finally {
        span.end();
      }
    }),
  );
});
afterAll(() => sdk.shutdown());

const scheme = { [ATTR.scheme]: "standard-webhooks" };

describe("metrics after the scripted deliveries", () => {
  it("the script produced every outcome", () => {
    expect(results.handlerFailure).toBeInstanceOf(TypeError);
    expect(results.storeDown).toMatchObject({ handled: false, response: { status: 503 } });
  });

  it(`${METRIC.received}: one per delivery, by outcome and error code; no tenant unless asked for`, async () => {
    expect(summarize(await sdk.points(METRIC.received))).toEqual(
      summarize([
        { attributes: { ...scheme, [ATTR.outcome]: "verified" }, value: 3 },
        { attributes: { ...scheme, [ATTR.outcome]: "duplicate" }, value: 1 },
        { attributes: { ...scheme, [ATTR.outcome]: "in_progress", [ATTR.errorType]: "message_in_progress" }, value: 1 },
        { attributes: { ...scheme, [ATTR.outcome]: "rejected", [ATTR.errorType]: "invalid_signature" }, value: 1 },
        { attributes: { ...scheme, [ATTR.outcome]: "rejected", [ATTR.errorType]: "timestamp_too_old" }, value: 1 },
        { attributes: { ...scheme, [ATTR.outcome]: "rejected", [ATTR.errorType]: "rate_limited" }, value: 1 },
        {
          attributes: { ...scheme, [ATTR.outcome]: "rejected", [ATTR.errorType]: "client_certificate_expired" },
          value: 1,
        },
        {
          attributes: { ...scheme, [ATTR.outcome]: "rejected", [ATTR.errorType]: "replay_store_unavailable" },
          value: 1,
        },
      ] as never),
    );
  });

  it(`${METRIC.verificationDuration}: one observation per delivery, in seconds, under the same attributes`, async () => {
    const points = await sdk.histogram(METRIC.verificationDuration);
    const counts = Object.fromEntries(
      points.map((point) => [
        `${point.attributes[ATTR.outcome]}/${point.attributes[ATTR.errorType] ?? ""}`,
        point.value.count,
      ]),
    );
    expect(counts).toEqual({
      "verified/": 3,
      "duplicate/": 1,
      "in_progress/message_in_progress": 1,
      "rejected/invalid_signature": 1,
      "rejected/timestamp_too_old": 1,
      "rejected/rate_limited": 1,
      "rejected/client_certificate_expired": 1,
      "rejected/replay_store_unavailable": 1,
    });
    for (const point of points) {
      expect(point.value.sum).toBeGreaterThan(0);
      expect(point.value.max).toBeLessThan(5);
    }
  });

  it(`${METRIC.duplicates}, ${METRIC.inProgress}, ${METRIC.processed}, ${METRIC.replayStoreFailures}`, async () => {
    expect(summarize(await sdk.points(METRIC.duplicates))).toEqual([{ attributes: scheme, value: 1 }]);
    expect(summarize(await sdk.points(METRIC.inProgress))).toEqual([{ attributes: scheme, value: 1 }]);
    expect(summarize(await sdk.points(METRIC.processed))).toEqual(
      summarize([
        { attributes: { ...scheme, [ATTR.outcome]: "completed" }, value: 2 },
        { attributes: { ...scheme, [ATTR.outcome]: "handler_failed", [ATTR.errorType]: "TypeError" }, value: 1 },
        { attributes: { ...scheme, [ATTR.outcome]: "released" }, value: 1 },
      ] as never),
    );
    expect(summarize(await sdk.points(METRIC.replayStoreFailures))).toEqual([
      {
        attributes: { ...scheme, [ATTR.errorType]: "replay_store_unavailable", [ATTR.replayStoreOperation]: "claim" },
        value: 1,
      },
    ]);
  });

  it(`${METRIC.certificateDaysUntilExpiry}: the last reading per tenant and certificate, negative once expired`, async () => {
    const points = summarize(await sdk.points(METRIC.certificateDaysUntilExpiry));
    expect(points).toEqual(
      summarize([
        { attributes: { [ATTR.tenant]: "acme", [ATTR.tlsClientSubject]: ACME_SUBJECT }, value: 10 },
        { attributes: { [ATTR.tlsClientSubject]: GLOBEX_SUBJECT }, value: -3 },
      ] as never),
    );
  });

  it("records nothing else", async () => {
    expect((await sdk.names()).sort()).toEqual(
      [
        METRIC.received,
        METRIC.verificationDuration,
        METRIC.duplicates,
        METRIC.inProgress,
        METRIC.processed,
        METRIC.replayStoreFailures,
        METRIC.certificateDaysUntilExpiry,
      ].sort(),
    );
  });
});

describe("spans after the scripted deliveries", () => {
  const receiveSpans = () => sdk.finishedSpans().filter((span) => span.name === SPAN.receive);
  const byName = (name: string) => {
    const parent = httpSpanIds.get(name);
    return receiveSpans().filter((span) => span.parentSpanContext?.spanId === parent);
  };

  it("one CONSUMER span per delivery, child of its HTTP server span, in the same trace", () => {
    expect(receiveSpans()).toHaveLength(10);
    for (const name of [
      "verified",
      "tampered",
      "stale",
      "duplicate",
      "handler_failure",
      "rate_limited",
      "expired",
      "store_down",
    ]) {
      const spans = byName(name);
      expect(spans, name).toHaveLength(1);
      expect(spans[0]?.kind).toBe(SpanKind.CONSUMER);
    }
    expect(byName("in_progress")).toHaveLength(2);
    const http = sdk.finishedSpans().find((span) => span.name === "POST /webhooks verified");
    expect(byName("verified")[0]?.spanContext().traceId).toBe(http?.spanContext().traceId);
  });

  it("a processed message: messaging and hooksec attributes, the tenant, the client, the key; ends when completed", () => {
    const [span] = byName("verified");
    expect(span?.attributes).toEqual({
      [ATTR.messagingSystem]: "hooksec",
      [ATTR.messagingOperationType]: "process",
      [ATTR.messagingOperationName]: "receive",
      [ATTR.messagingMessageId]: "msg_1",
      [ATTR.scheme]: "standard-webhooks",
      [ATTR.tenant]: "acme",
      // the key's id: a fingerprint of the key (sha256:...), never the key
      [ATTR.keyId]: expect.stringMatching(/^sha256:[0-9a-f]{12}$/),
      [ATTR.clientAddress]: "203.0.113.7",
      [ATTR.tlsClientSubject]: ACME_SUBJECT,
      [ATTR.certificateDaysUntilExpiry]: 10,
      [ATTR.outcome]: "completed",
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("refusals carry error.type and an ERROR status with the code only", () => {
    const expected = {
      tampered: "invalid_signature",
      stale: "timestamp_too_old",
      rate_limited: "rate_limited",
      expired: "client_certificate_expired",
      store_down: "replay_store_unavailable",
    };
    for (const [name, code] of Object.entries(expected)) {
      const [span] = byName(name);
      expect(span?.attributes[ATTR.outcome], name).toBe("rejected");
      expect(span?.attributes[ATTR.errorType], name).toBe(code);
      expect(span?.status, name).toEqual({ code: SpanStatusCode.ERROR, message: code });
    }
    expect(byName("rate_limited")[0]?.attributes[ATTR.retryAfter]).toBeGreaterThan(0);
    expect(byName("expired")[0]?.attributes[ATTR.certificateDaysUntilExpiry]).toBe(-3);
  });

  it("duplicate, in progress, and a failed handler (released, with its error type and an event)", () => {
    expect(byName("duplicate")[0]?.attributes[ATTR.outcome]).toBe("duplicate");
    const inProgress = byName("in_progress")
      .map((span) => span.attributes[ATTR.outcome])
      .sort();
    expect(inProgress).toEqual(["completed", "in_progress"]);
    const [failed] = byName("handler_failure");
    expect(failed?.attributes).toMatchObject({
      [ATTR.outcome]: "released",
      [ATTR.errorType]: "TypeError",
      [ATTR.messagingMessageId]: "msg_5",
    });
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: "TypeError" });
    expect(failed?.events.map((event) => event.name)).toEqual(["handler_failed"]);
  });

  it("without an active span the receive span is a root", async () => {
    const local = createTestSdk();
    const own = createWebhookTelemetry({ meterProvider: local.meterProvider, tracerProvider: local.tracerProvider });
    own.onEvent({ type: "rejected", scheme: "github", durationMs: 1.5, code: "invalid_signature", status: 401 });
    const [span] = local.finishedSpans();
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.attributes[ATTR.scheme]).toBe("github");
    await local.shutdown();
  });
});

describe("opt-in attributes", () => {
  it("tenant and key id on metrics only when asked for", async () => {
    const local = createTestSdk();
    const own = createWebhookTelemetry({
      meterProvider: local.meterProvider,
      traces: false,
      attributes: { tenant: true, keyId: true },
    });
    await runScript(own.onEvent);
    const received = summarize(await local.points(METRIC.received));
    expect(received).toContainEqual({
      attributes: { ...scheme, [ATTR.outcome]: "verified", [ATTR.tenant]: "acme", [ATTR.keyId]: expect.any(String) },
      value: 3,
    });
    // globex's expired certificate named no tenant
    expect(received).toContainEqual({
      attributes: { ...scheme, [ATTR.outcome]: "rejected", [ATTR.errorType]: "client_certificate_expired" },
      value: 1,
    });
    expect(summarize(await local.points(METRIC.duplicates))).toEqual([
      { attributes: { ...scheme, [ATTR.tenant]: "acme" }, value: 1 },
    ]);
    expect(local.finishedSpans()).toEqual([]);
    await local.shutdown();
  });

  it("metrics: false records only spans", async () => {
    const local = createTestSdk();
    const own = createWebhookTelemetry({
      meterProvider: local.meterProvider,
      tracerProvider: local.tracerProvider,
      metrics: false,
    });
    own.onEvent({ type: "duplicate", scheme: "svix", durationMs: 0.2, id: "msg_x" });
    expect(await local.names()).toEqual([]);
    expect(local.finishedSpans()).toHaveLength(1);
    await local.shutdown();
  });
});
