// Linear: @linear/sdk's LinearWebhookClient.verify (in @linear/sdk/webhooks) against our linear
// preset. The SDK only verifies, so Linear's side is signed with its documented recipe: hex
// HMAC-SHA256 of the raw body, `webhookTimestamp` (ms) inside it. https://linear.app/developers/webhooks#securing-webhooks
import { createHmac } from "node:crypto";
import { linear } from "@hooksec/core";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, tamper } from "./support/receive.js";

const secret = "linear-webhook-secret-interop-not-real";
const scheme = linear({ secret });
const client = new LinearWebhookClient(secret);

/** A Linear payload signed at `now`: webhookTimestamp is what both sides check the window on. */
const payloadAt = (now: number) =>
  fc
    .record({
      action: fc.constantFrom("create", "update", "remove"),
      type: fc.constantFrom("Issue", "Comment"),
      data: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 })),
    })
    .map((event) => JSON.stringify({ ...event, webhookTimestamp: now }));

function sdkVerifies(body: string, signature: string): boolean {
  try {
    return client.verify(Buffer.from(body), signature);
  } catch {
    return false;
  }
}

describe("linear: @linear/sdk LinearWebhookClient.verify", () => {
  it("accepts what our preset signs, and refuses a changed body", async () => {
    await fc.assert(
      fc.asyncProperty(payloadAt(Date.now()), async (payload) => {
        const headers = await scheme.sign({ id: "delivery-1", timestamp: new Date(), body: payload });
        expect(sdkVerifies(payload, headers["linear-signature"] as string)).toBe(true);
        expect(sdkVerifies(tamper(payload), headers["linear-signature"] as string)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("we accept what Linear's recipe signs (the request the SDK accepts), timed by webhookTimestamp, and refuse it tampered", async () => {
    const now = Date.now();
    await fc.assert(
      fc.asyncProperty(payloadAt(now), async (payload) => {
        const signature = createHmac("sha256", secret).update(payload).digest("hex");
        expect(sdkVerifies(payload, signature)).toBe(true);
        const headers = { "linear-signature": signature, "linear-delivery": "3f1c1c5e-delivery" };
        const webhook = await receive(scheme, { headers, body: payload, now });
        expect(webhook).toMatchObject({ id: "3f1c1c5e-delivery" });
        expect(webhook.timestamp?.getTime()).toBe(now);
        expect(await refusalCode(receive(scheme, { headers, body: tamper(payload), now }))).toBe("invalid_signature");
      }),
      { numRuns: 100 },
    );
  });

  it("both refuse a stale webhookTimestamp under a valid MAC", async () => {
    const now = Date.now();
    const payload = JSON.stringify({ action: "create", type: "Issue", data: {}, webhookTimestamp: now - 10 * 60_000 });
    const signature = createHmac("sha256", secret).update(payload).digest("hex");
    expect(sdkVerifies(payload, signature)).toBe(false);
    expect(await refusalCode(receive(scheme, { headers: { "linear-signature": signature }, body: payload, now }))).toBe(
      "timestamp_too_old",
    );
  });
});
