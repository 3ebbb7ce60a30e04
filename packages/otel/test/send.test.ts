import { once } from "node:events";
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSender } from "@hooksec/core";
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATTR, METRIC, SPAN, createWebhookTelemetry, withTraceContext } from "../src/index.js";
import { createTestSdk, summarize } from "./support/sdk.js";
import { scheme } from "./support/script.js";

// A receiver that answers from a script: 503 then 204 for /flaky, 400 for /bad, 204 otherwise.
const seen: IncomingHttpHeaders[] = [];
let flaky = 0;
const server = createServer((req, res) => {
  seen.push(req.headers);
  req.resume();
  req.on("end", () => {
    if (req.url?.startsWith("/flaky") && flaky++ === 0) res.writeHead(503, { "retry-after": "0" }).end();
    else res.writeHead(req.url === "/bad" ? 400 : 204).end();
  });
});
let base = "";
beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function setup(options: Parameters<typeof createWebhookTelemetry>[0] = {}) {
  const sdk = createTestSdk();
  const telemetry = createWebhookTelemetry({
    meterProvider: sdk.meterProvider,
    tracerProvider: sdk.tracerProvider,
    ...options,
  });
  const sender = createSender({
    scheme,
    ssrf: { allowHttp: true, allowCidrs: ["127.0.0.0/8"] },
    retry: { attempts: 3, baseDelayMs: 1 },
    sleep: () => Promise.resolve(),
    onAttempt: telemetry.onAttempt,
  });
  return { sdk, telemetry, sender };
}

describe("the core sender's attempts", () => {
  it(`${METRIC.deliveryAttempts} and ${METRIC.deliveryAttemptDuration} by outcome and status; a CLIENT span per attempt`, async () => {
    const { sdk, telemetry, sender } = setup();
    flaky = 0;
    const delivered = await telemetry.send(
      sender,
      { url: `${base}/flaky?token=SECRET-IN-QUERY` },
      { hello: "world" },
      { id: "msg_send_1" },
    );
    const rejected = await telemetry.send(sender, { url: `${base}/bad` }, { hello: "world" }, { id: "msg_send_2" });
    expect(delivered).toMatchObject({ status: "delivered", attempts: 2 });
    expect(rejected).toMatchObject({ status: "failed", attempts: 1, lastStatus: 400 });

    expect(summarize(await sdk.points(METRIC.deliveryAttempts))).toEqual(
      summarize([
        { attributes: { [ATTR.outcome]: "retryable", [ATTR.httpStatus]: 503, [ATTR.errorType]: "503" }, value: 1 },
        { attributes: { [ATTR.outcome]: "delivered", [ATTR.httpStatus]: 204 }, value: 1 },
        { attributes: { [ATTR.outcome]: "rejected", [ATTR.httpStatus]: 400, [ATTR.errorType]: "400" }, value: 1 },
      ] as never),
    );
    expect((await sdk.histogram(METRIC.deliveryAttemptDuration)).map((point) => point.value.count).sort()).toEqual([
      1, 1, 1,
    ]);

    const spans = sdk.finishedSpans();
    const sends = spans.filter((span) => span.name === SPAN.send);
    const attempts = spans.filter((span) => span.name === SPAN.attempt);
    expect(sends.map((span) => span.kind)).toEqual([SpanKind.PRODUCER, SpanKind.PRODUCER]);
    expect(attempts).toHaveLength(3);
    const [first, second, third] = attempts;
    const [sendDelivered, sendRejected] = sends;
    // Every attempt is a CLIENT child of its send span.
    expect(first?.parentSpanContext?.spanId).toBe(sendDelivered?.spanContext().spanId);
    expect(second?.parentSpanContext?.spanId).toBe(sendDelivered?.spanContext().spanId);
    expect(third?.parentSpanContext?.spanId).toBe(sendRejected?.spanContext().spanId);
    expect(first?.kind).toBe(SpanKind.CLIENT);
    const port = Number(new URL(base).port);
    expect(first?.attributes).toEqual({
      [ATTR.httpMethod]: "POST",
      [ATTR.messagingMessageId]: "msg_send_1",
      [ATTR.outcome]: "retryable",
      [ATTR.urlFull]: `${base}/flaky`,
      [ATTR.serverAddress]: "127.0.0.1",
      [ATTR.serverPort]: port,
      [ATTR.httpStatus]: 503,
      [ATTR.errorType]: "503",
    });
    expect(first?.status).toEqual({ code: SpanStatusCode.ERROR, message: "503" });
    expect(second?.attributes).toMatchObject({
      [ATTR.resendCount]: 1,
      [ATTR.httpStatus]: 204,
      [ATTR.outcome]: "delivered",
    });
    expect(second?.status.code).toBe(SpanStatusCode.UNSET);
    expect(sendDelivered?.attributes).toMatchObject({
      [ATTR.messagingSystem]: "hooksec",
      [ATTR.messagingOperationType]: "send",
      [ATTR.messagingMessageId]: "msg_send_1",
      [ATTR.outcome]: "delivered",
      [ATTR.httpStatus]: 204,
    });
    expect(sendRejected?.status).toEqual({ code: SpanStatusCode.ERROR, message: "failed" });
    // The query string (where tokens live) is in no span.
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain("SECRET-IN-QUERY");
    await sdk.shutdown();
  });

  it("network errors: error.type is the error's code, never its message", async () => {
    const { sdk, sender } = setup();
    const result = await sender.send({ url: "http://127.0.0.1:9/closed" }, {}, { id: "msg_send_3" });
    expect(result.status).toBe("failed");
    const points = summarize(await sdk.points(METRIC.deliveryAttempts));
    expect(points).toHaveLength(1);
    expect(points[0]?.attributes[ATTR.outcome]).toBe("retryable");
    expect(points[0]?.attributes[ATTR.errorType]).toMatch(/^[A-Za-z][A-Za-z0-9_.-]*$/);
    expect(points[0]?.value).toBe(3);
    await sdk.shutdown();
  });

  it("endpoint opt-in: server.address on the attempt metrics", async () => {
    const { sdk, telemetry, sender } = setup({ attributes: { endpoint: true }, traces: false });
    await telemetry.send(sender, { url: `${base}/ok` }, {});
    expect(summarize(await sdk.points(METRIC.deliveryAttempts))).toEqual([
      {
        attributes: { [ATTR.outcome]: "delivered", [ATTR.httpStatus]: 204, [ATTR.serverAddress]: "127.0.0.1" },
        value: 1,
      },
    ]);
    expect(sdk.finishedSpans()).toEqual([]);
    await sdk.shutdown();
  });
});

describe("trace context on outgoing webhooks", () => {
  it("off by default: no traceparent leaves", async () => {
    const { sdk, telemetry, sender } = setup();
    seen.length = 0;
    await telemetry.send(sender, { url: `${base}/ok` }, {});
    expect(seen[0]?.traceparent).toBeUndefined();
    await sdk.shutdown();
  });

  it("propagateTraceContext: the send span's traceparent reaches the receiver, beside the endpoint's own headers", async () => {
    const { sdk, telemetry, sender } = setup({ propagateTraceContext: true });
    seen.length = 0;
    const parent = sdk.tracerProvider.getTracer("app").startSpan("checkout");
    await context.with(trace.setSpan(context.active(), parent), () =>
      telemetry.send(sender, { url: `${base}/ok`, headers: { "x-team": "billing" } }, {}),
    );
    parent.end();
    const sendSpan = sdk.finishedSpans().find((span) => span.name === SPAN.send);
    expect(sendSpan?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(seen[0]?.traceparent).toBe(`00-${sendSpan?.spanContext().traceId}-${sendSpan?.spanContext().spanId}-01`);
    expect(seen[0]?.["x-team"]).toBe("billing");
    expect(seen[0]?.["webhook-signature"]).toMatch(/^v1,/);
    await sdk.shutdown();
  });

  it("withTraceContext: the active context into an endpoint's headers; unchanged without a span", () => {
    const endpoint = { url: "https://example.com/hook", headers: { "x-a": "1" } };
    expect(withTraceContext(endpoint)).toBe(endpoint);
    const sdk = createTestSdk();
    const span = sdk.tracerProvider.getTracer("app").startSpan("job");
    const withContext = context.with(trace.setSpan(context.active(), span), () => withTraceContext(endpoint));
    expect(withContext.headers).toEqual({
      "x-a": "1",
      traceparent: `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
    });
    expect(endpoint.headers).toEqual({ "x-a": "1" });
    span.end();
  });

  it("a refused endpoint ends the send span with its code", async () => {
    const { sdk, telemetry, sender } = setup();
    await expect(telemetry.send(sender, { url: "https://10.0.0.1/internal" }, {})).rejects.toMatchObject({
      code: "ssrf_blocked",
    });
    const [span] = sdk.finishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: "ssrf_blocked" });
    await sdk.shutdown();
  });
});
