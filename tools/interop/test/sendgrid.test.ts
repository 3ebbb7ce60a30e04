// SendGrid signed Event Webhook: @sendgrid/eventwebhook's EventWebhook (convertPublicKeyToECDSA,
// verifySignature) against our sendgrid preset: ECDSA P-256 / SHA-256 over `{timestamp}{body}`,
// DER signature in base64. SendGrid's own signed deliveries come from the SDK's test vectors
// (@sendgrid/eventwebhook 8.0.0, src/eventwebhook.spec.js), which we verify unchanged.
import { createSign, generateKeyPairSync } from "node:crypto";
import { sendgrid } from "@hooksec/core";
import { EventWebhook } from "@sendgrid/eventwebhook";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, seconds, tamper } from "./support/receive.js";

const SIGNATURE = "x-twilio-email-event-webhook-signature";
const TIMESTAMP = "x-twilio-email-event-webhook-timestamp";

// From the SDK's spec: a delivery SendGrid signed, with the verification key it showed.
const VECTOR = {
  publicKey:
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==",
  signature: "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=",
  timestamp: "1600112502",
  payload: `${JSON.stringify([
    {
      email: "hello@world.com",
      event: "dropped",
      reason: "Bounced Address",
      sg_event_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
      sg_message_id: "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
      "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
      timestamp: 1600112492,
    },
  ])}\r\n`,
};

const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
/** The verification key as SendGrid's settings show it: base64 DER (SPKI). */
const publicKey = pair.publicKey.export({ format: "der", type: "spki" }).toString("base64");
const privateKeyPem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const webhook = new EventWebhook();

const events = fc
  .array(
    fc.record({
      email: fc.emailAddress(),
      event: fc.constantFrom("delivered", "open", "bounce"),
      sg_event_id: fc.base64String({ minLength: 8, maxLength: 24 }),
      timestamp: fc.nat(),
    }),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .map((batch) => `${JSON.stringify(batch)}\r\n`);

function sdkVerifies(key: string, body: string, headers: Record<string, string>): boolean {
  return webhook.verifySignature(
    webhook.convertPublicKeyToECDSA(key),
    body,
    headers[SIGNATURE] as string,
    headers[TIMESTAMP] as string,
  );
}

describe("sendgrid: @sendgrid/eventwebhook EventWebhook", () => {
  it("we verify SendGrid's signed delivery from the SDK's test vector, and refuse it tampered", async () => {
    const scheme = sendgrid({ publicKey: VECTOR.publicKey });
    const headers = { [SIGNATURE]: VECTOR.signature, [TIMESTAMP]: VECTOR.timestamp };
    const now = Number(VECTOR.timestamp) * 1000;
    expect(sdkVerifies(VECTOR.publicKey, VECTOR.payload, headers)).toBe(true);
    await expect(receive(scheme, { headers, body: VECTOR.payload, now })).resolves.toMatchObject({
      timestamp: new Date(now),
    });
    expect(await refusalCode(receive(scheme, { headers, body: VECTOR.payload.trimEnd(), now }))).toBe(
      "invalid_signature",
    );
    expect(
      await refusalCode(
        receive(scheme, { headers: { ...headers, [TIMESTAMP]: "1600112503" }, body: VECTOR.payload, now }),
      ),
    ).toBe("invalid_signature");
  });

  it("EventWebhook.verifySignature accepts what our preset signs, and refuses a changed body", async () => {
    const scheme = sendgrid({ privateKey: privateKeyPem });
    await fc.assert(
      fc.asyncProperty(events, async (body) => {
        const headers = await scheme.sign({ id: "x", timestamp: new Date(), body });
        expect(sdkVerifies(publicKey, body, headers)).toBe(true);
        expect(sdkVerifies(publicKey, tamper(body), headers)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it("we accept what the documented recipe signs (DER ECDSA, the request the SDK accepts), and refuse it tampered", async () => {
    const scheme = sendgrid({ publicKey });
    await fc.assert(
      fc.asyncProperty(events, async (body) => {
        const now = Date.now();
        const timestamp = String(seconds(now));
        const signature = createSign("SHA256")
          .update(timestamp + body)
          .sign(pair.privateKey, "base64");
        const headers = { [SIGNATURE]: signature, [TIMESTAMP]: timestamp };
        expect(sdkVerifies(publicKey, body, headers)).toBe(true);
        await expect(receive(scheme, { headers, body, now })).resolves.toMatchObject({ timestamped: true });
        expect(await refusalCode(receive(scheme, { headers, body: tamper(body), now }))).toBe("invalid_signature");
      }),
      { numRuns: 30 },
    );
  });
});
