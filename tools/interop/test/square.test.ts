// Square: the square SDK's WebhooksHelper.verifySignature against our square preset. The SDK only
// verifies, so Square's side is signed with its documented recipe: base64 HMAC-SHA256 of the
// notification URL followed by the body. https://developer.squareup.com/docs/webhooks/step3validate
import { createHmac } from "node:crypto";
import { square } from "@hooksec/core";
import fc from "fast-check";
import { WebhooksHelper } from "square";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, tamper } from "./support/receive.js";

const signatureKey = "square-signature-key-interop-not-real";
const notificationUrl = "https://receiver.test/square/webhooks";
const body = fc
  .record({
    merchant_id: fc.string({ maxLength: 12 }),
    type: fc.constantFrom("payment.updated", "refund.created"),
    event_id: fc.uuid(),
    data: fc.jsonValue({ maxDepth: 2 }),
  })
  .map((event) => JSON.stringify(event));

const sdkVerifies = (requestBody: string, signatureHeader: string, url = notificationUrl) =>
  WebhooksHelper.verifySignature({ requestBody, signatureHeader, signatureKey, notificationUrl: url });

describe("square: WebhooksHelper.verifySignature", () => {
  it("accepts what our preset signs, and refuses a changed body", async () => {
    const scheme = square({ secret: signatureKey, notificationUrl });
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const headers = await scheme.sign({ id: "x", timestamp: new Date(), body: payload });
        const signature = headers["x-square-hmacsha256-signature"] as string;
        expect(await sdkVerifies(payload, signature)).toBe(true);
        expect(await sdkVerifies(tamper(payload), signature)).toBe(false);
        expect(await sdkVerifies(payload, signature, `${notificationUrl}/other`)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("we accept what Square's recipe signs (the request the SDK accepts), by configured URL or the request's, and refuse it tampered", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const signature = createHmac("sha256", signatureKey)
          .update(notificationUrl + payload)
          .digest("base64");
        expect(await sdkVerifies(payload, signature)).toBe(true);
        const headers = { "x-square-hmacsha256-signature": signature };
        const id = JSON.parse(payload).event_id;
        await expect(
          receive(square({ secret: signatureKey, notificationUrl }), {
            headers,
            body: payload,
            url: "http://10.0.0.7:8080/in",
          }),
        ).resolves.toMatchObject({ id });
        await expect(
          receive(square({ secret: signatureKey }), { headers, body: payload, url: notificationUrl }),
        ).resolves.toMatchObject({ id });
        expect(
          await refusalCode(
            receive(square({ secret: signatureKey, notificationUrl }), { headers, body: tamper(payload) }),
          ),
        ).toBe("invalid_signature");
      }),
      { numRuns: 100 },
    );
  });
});
