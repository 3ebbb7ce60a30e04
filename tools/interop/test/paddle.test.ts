// Paddle Billing: @paddle/paddle-node-sdk's webhooks.unmarshal / isSignatureValid against our
// paddle preset (`Paddle-Signature: ts=..;h1=..`, hex HMAC-SHA256 over `{ts}:{body}`). The SDK
// only verifies, and only within 5 seconds of `ts`, so deliveries are signed now; Paddle's side
// is signed with its documented recipe. https://developer.paddle.com/webhooks/signature-verification
import { createHmac } from "node:crypto";
import { paddle } from "@hooksec/core";
import { Paddle } from "@paddle/paddle-node-sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, seconds, tamper } from "./support/receive.js";

const secretKey = "pdl_ntfset_01interop_notreal_secretkey";
const scheme = paddle({ secret: secretKey });
// Offline: building the client makes no request; the webhook helpers need no API key to work.
const sdk = new Paddle("pdl_sdbx_apikey_interop_not_real");

const event = fc
  .record({
    event_id: fc.stringMatching(/^evt_[a-z0-9]{26}$/),
    event_type: fc.constantFrom("transaction.completed", "subscription.updated"),
    data: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 })),
  })
  .map((value) =>
    JSON.stringify({ ...value, occurred_at: "2026-01-01T00:00:00.000Z", notification_id: "ntf_01interop" }),
  );

function paddleSigned(body: string, ts: number, key = secretKey): Record<string, string> {
  return { "paddle-signature": `ts=${ts};h1=${createHmac("sha256", key).update(`${ts}:${body}`).digest("hex")}` };
}

describe("paddle: @paddle/paddle-node-sdk webhooks", () => {
  it("webhooks.isSignatureValid accepts what our preset signs, and refuses it with the body changed", async () => {
    await fc.assert(
      fc.asyncProperty(event, async (body) => {
        const headers = await scheme.sign({ id: "x", timestamp: new Date(), body });
        const signature = headers["paddle-signature"] as string;
        expect(await sdk.webhooks.isSignatureValid(body, secretKey, signature)).toBe(true);
        expect(await sdk.webhooks.isSignatureValid(tamper(body), secretKey, signature)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it("webhooks.unmarshal returns the event our preset signed", async () => {
    // An event type the SDK maps to its generic event: its typed events need every entity field.
    const body = JSON.stringify({
      event_id: "evt_01interop",
      event_type: "interop.checked",
      occurred_at: "2026-01-01T00:00:00.000Z",
      notification_id: "ntf_01",
      data: { id: "x" },
    });
    const headers = await scheme.sign({ id: "x", timestamp: new Date(), body });
    const unmarshalled = await sdk.webhooks.unmarshal(body, secretKey, headers["paddle-signature"] as string);
    expect(unmarshalled).toMatchObject({ eventId: "evt_01interop", eventType: "interop.checked" });
    await expect(
      sdk.webhooks.unmarshal(tamper(body), secretKey, headers["paddle-signature"] as string),
    ).rejects.toThrow();
  });

  it("we accept what Paddle's recipe signs (the request the SDK accepts), named by event_id, and refuse it tampered", async () => {
    await fc.assert(
      fc.asyncProperty(event, async (body) => {
        const now = Date.now();
        const headers = paddleSigned(body, seconds(now));
        expect(await sdk.webhooks.isSignatureValid(body, secretKey, headers["paddle-signature"] as string)).toBe(true);
        const webhook = await receive(scheme, { headers, body, now });
        expect(webhook).toMatchObject({ id: JSON.parse(body).event_id });
        expect(webhook.timestamp?.getTime()).toBe(seconds(now) * 1000);
        expect(await refusalCode(receive(scheme, { headers, body: tamper(body), now }))).toBe("invalid_signature");
      }),
      { numRuns: 60 },
    );
  });

  it("both refuse another secret key", async () => {
    const body = JSON.stringify({ event_id: "evt_01interop", event_type: "transaction.completed", data: {} });
    const headers = paddleSigned(body, seconds(Date.now()), "pdl_ntfset_another_secret_key");
    expect(await sdk.webhooks.isSignatureValid(body, secretKey, headers["paddle-signature"] as string)).toBe(false);
    expect(await refusalCode(receive(scheme, { headers, body }))).toBe("invalid_signature");
  });
});
