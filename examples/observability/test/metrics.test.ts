import { send, signed, standardWebhooksHeaders } from "@hooksec/testkit";
import { standardWebhooks } from "@hooksec/koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheus, startExample, sampleValue } from "./support.js";

const secret = `whsec_${Buffer.from("observability example secret 32b").toString("base64")}`;
let example: Awaited<ReturnType<typeof startExample>>;
const statuses: Record<string, number> = {};

beforeAll(async () => {
  example = await startExample({
    receiver: { scheme: standardWebhooks({ secret }) },
    handle: (payload) => {
      if ((payload as { fail?: boolean }).fail === true) throw new Error("downstream unavailable");
    },
  });
  const post = async (name: string, delivery: { headers: Record<string, string>; body: string }) => {
    statuses[name] = (await send(`${example.url}/webhooks`, delivery)).status;
  };
  const first = signed(secret, { type: "invoice.paid" }, { id: "msg_1" });
  await post("verified", first);
  await post("verified again", signed(secret, { type: "invoice.paid" }, { id: "msg_2" }));
  await post("duplicate", signed(secret, { type: "invoice.paid" }, { id: "msg_1" }));
  await post("tampered", { headers: first.headers, body: first.body.replace("paid", "void") });
  const staleBody = '{"type":"invoice.paid"}';
  await post("stale", {
    headers: standardWebhooksHeaders(secret, {
      id: "msg_3",
      timestamp: new Date(Date.now() - 3_600_000),
      body: staleBody,
    }),
    body: staleBody,
  });
  await post("handler failure", signed(secret, { fail: true }, { id: "msg_4" }));
});
afterAll(() => example.close());

describe("GET /metrics after real deliveries", () => {
  it("the deliveries were answered as the receive lifecycle says", () => {
    expect(statuses).toEqual({
      verified: 204,
      "verified again": 204,
      duplicate: 200,
      tampered: 401,
      stale: 401,
      "handler failure": 500,
    });
  });

  it("serves the Prometheus text format with every series and its value", async () => {
    const reply = await send(`${example.url}/metrics`, { method: "GET" });
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toContain("text/plain");
    const samples = parsePrometheus(reply.text);
    const scheme = { hooksec_scheme: "standard-webhooks" };
    expect(sampleValue(samples, "hooksec_webhook_received_total", { ...scheme, hooksec_outcome: "verified" })).toBe(3);
    expect(sampleValue(samples, "hooksec_webhook_received_total", { ...scheme, hooksec_outcome: "duplicate" })).toBe(1);
    expect(
      sampleValue(samples, "hooksec_webhook_received_total", {
        ...scheme,
        hooksec_outcome: "rejected",
        error_type: "invalid_signature",
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, "hooksec_webhook_received_total", {
        ...scheme,
        hooksec_outcome: "rejected",
        error_type: "timestamp_too_old",
      }),
    ).toBe(1);
    expect(sampleValue(samples, "hooksec_webhook_duplicates_total", scheme)).toBe(1);
    expect(sampleValue(samples, "hooksec_webhook_processed_total", { ...scheme, hooksec_outcome: "completed" })).toBe(
      2,
    );
    expect(
      sampleValue(samples, "hooksec_webhook_processed_total", {
        ...scheme,
        hooksec_outcome: "handler_failed",
        error_type: "Error",
      }),
    ).toBe(1);
    expect(sampleValue(samples, "hooksec_webhook_processed_total", { ...scheme, hooksec_outcome: "released" })).toBe(1);
    // The histogram in seconds: one observation per delivery and outcome.
    expect(
      sampleValue(samples, "hooksec_webhook_verification_duration_count", { ...scheme, hooksec_outcome: "verified" }),
    ).toBe(3);
    expect(
      sampleValue(samples, "hooksec_webhook_verification_duration_bucket", {
        ...scheme,
        hooksec_outcome: "verified",
        le: "+Inf",
      }),
    ).toBe(3);
    expect(
      sampleValue(samples, "hooksec_webhook_verification_duration_sum", { ...scheme, hooksec_outcome: "verified" }),
    ).toBeGreaterThan(0);
    // No tenant label unless asked for, and nothing of the bodies or the secret.
    expect(samples.some((sample) => "hooksec_tenant" in sample.labels)).toBe(false);
    expect(reply.text).not.toContain(secret.slice(6));
    expect(reply.text).not.toContain("invoice");
  });

  it("counts on: a second scrape after another rejection", async () => {
    await send(`${example.url}/webhooks`, { headers: { "webhook-id": "x" }, body: "{}" });
    const samples = parsePrometheus((await send(`${example.url}/metrics`, { method: "GET" })).text);
    expect(
      sampleValue(samples, "hooksec_webhook_received_total", {
        hooksec_outcome: "rejected",
        error_type: "missing_header",
      }),
    ).toBe(1);
    expect(sampleValue(samples, "hooksec_webhook_received_total", { hooksec_outcome: "verified" })).toBe(3);
  });
});

describe("metrics are opt-in", () => {
  it("metrics: false serves no /metrics", async () => {
    const plain = await startExample({ receiver: { scheme: standardWebhooks({ secret }) }, metrics: false });
    expect((await send(`${plain.url}/metrics`, { method: "GET" })).status).toBe(404);
    await plain.close();
  });
});
