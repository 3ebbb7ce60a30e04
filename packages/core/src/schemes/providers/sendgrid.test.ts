import { describe, expect, it } from "vitest";
import { encodeBase64 } from "../../lib/base64.js";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { sendgrid } from "./sendgrid.js";
import { describeConformance, jwkKey } from "./test-support/conformance.js";

const P256 = { name: "ECDSA", namedCurve: "P-256" };

describeConformance({
  name: "sendgrid",
  newKey: () => jwkKey(P256),
  sender: (key) => sendgrid({ privateKey: key.signing as JsonWebKey }),
  receiver: (keys) => sendgrid({ publicKeys: keys.map((key) => key.verifying as JsonWebKey) }),
});

describe("sendgrid", () => {
  it("verifies with the base64 DER public key SendGrid shows, DER signatures in base64", async () => {
    const pair = (await crypto.subtle.generateKey(P256, true, ["sign", "verify"])) as CryptoKeyPair;
    const publicKey = encodeBase64(new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)));
    const privateKey = encodeBase64(new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)));
    const body = '[{"email":"a@example.com","event":"delivered","sg_event_id":"ev1"}]';
    const headers = await sendgrid({ privateKey }).sign({ id: "x", timestamp: new Date(1_700_000_000_000), body });
    const der = Uint8Array.from(atob(headers["x-twilio-email-event-webhook-signature"] as string), (c) =>
      c.charCodeAt(0),
    );
    expect(der[0]).toBe(0x30);
    const result = await sendgrid({ publicKey }).verify(incomingWebhook(headers, body));
    expect(result).toMatchObject({
      timestamp: new Date(1_700_000_000_000),
      keyId: expect.stringMatching(/^ecdsa:[0-9a-f]{12}$/),
    });
  });
});
