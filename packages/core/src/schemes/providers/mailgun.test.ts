import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8 } from "../../lib/utf8.js";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { mailgun } from "./mailgun.js";
import { hmacKey, T } from "./test-support/conformance.js";
import { hmacHex } from "./test-support/recipe.js";

// The shared conformance table signs headers; Mailgun signs inside the body, so the same four
// properties are written here against encode(): round trip, one-byte changes to what is signed,
// garbage bodies, key rotation.
const eventData = fc
  .dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 })
  .map((value) => JSON.stringify(value));
const token = fc.stringMatching(/^[\x21-\x7e]{1,60}$/);
const SIGNED_FIELDS = ["timestamp", "token", "signature"] as const;

const sender = (secret: string) => mailgun({ secret });
const receiver = (...secrets: string[]) => mailgun({ secrets });
const encode = async (
  secret: string,
  data: string,
  id = "e0b5477167110d68991efc6b9f89f0a11066af27834600e123",
  timestamp = T,
) => (await sender(secret).encode({ id, timestamp, body: data })).body as string;

describe("mailgun: conformance (signature in the body)", () => {
  it("round-trips any event data: the token names the message, the signed timestamp is the time", async () => {
    const { signing } = hmacKey();
    await fc.assert(
      fc.asyncProperty(eventData, token, async (data, id) => {
        const body = await encode(signing as string, data, id);
        const result = await receiver(signing as string).verify(incomingWebhook({}, body));
        expect(result).toMatchObject({ id, timestamp: T });
        expect(JSON.parse(body)["event-data"]).toEqual(JSON.parse(data));
      }),
      { numRuns: 60 },
    );
  });

  it("refuses any one-character change to the signed fields, and another key", async () => {
    const [key, other] = [hmacKey().signing as string, hmacKey().signing as string];
    await fc.assert(
      fc.asyncProperty(
        eventData,
        token,
        fc.constantFrom(...SIGNED_FIELDS),
        fc.nat(),
        async (data, id, field, position) => {
          const body = await encode(key, data, id);
          expect(await codeOf(receiver(other).verify(incomingWebhook({}, body)))).toBe("invalid_signature");
          const event = JSON.parse(body);
          const value = event.signature[field] as string;
          const at = position % value.length;
          const code = value.charCodeAt(at);
          event.signature[field] =
            value.slice(0, at) + String.fromCharCode(code === 0x7e ? 0x21 : code + 1) + value.slice(at + 1);
          expect(["invalid_signature", "malformed_body"]).toContain(
            await codeOf(receiver(key).verify(incomingWebhook({}, JSON.stringify(event)))),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("answers any body, JSON or not, with a WebhookError, never another exception", async () => {
    const key = hmacKey().signing as string;
    const signatureLike = fc.record(
      {
        timestamp: fc.oneof(fc.string(), fc.integer(), fc.constant("1700000000")),
        token: fc.oneof(fc.string(), fc.constant(null)),
        signature: fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{0,70}$/)),
      },
      { requiredKeys: [] },
    );
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.jsonValue().map((value) => utf8(JSON.stringify(value) ?? "")),
      fc
        .record({ signature: fc.oneof(signatureLike, fc.jsonValue()), "event-data": fc.jsonValue() })
        .map((value) => utf8(JSON.stringify(value))),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        expect(["malformed_body", "invalid_signature"]).toContain(
          await codeOf(receiver(key).verify(incomingWebhook({}, body))),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("rotates keys: accepts the newest and the older key and names which matched", async () => {
    const [newest, older] = [hmacKey().signing as string, hmacKey().signing as string];
    const a = await receiver(newest, older).verify(incomingWebhook({}, await encode(newest, "{}")));
    const b = await receiver(newest, older).verify(incomingWebhook({}, await encode(older, "{}")));
    expect(a.keyId).toBeDefined();
    expect(a.keyId).not.toBe(b.keyId);
    expect(await codeOf(receiver(newest).verify(incomingWebhook({}, await encode(older, "{}"))))).toBe(
      "invalid_signature",
    );
  });
});

// Mailgun's documented recipe (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks):
// hex HMAC-SHA256 of timestamp + token, no separator, keyed by the webhook signing key; recomputed on Web Crypto.
describe("mailgun", () => {
  const key = "mailgun-webhook-signing-key-not-real";
  const signature = { token: "e0b5477167110d68991efc6b9f89f0a11066af27834600e123", timestamp: "1700000000" };
  const eventDataJson = '{"event":"delivered","id":"CPgfbmQMTCKtHW6uIWtuVe","recipient":"alice@example.com"}';

  it("verifies the documented recipe, and encode() writes exactly that body", async () => {
    const mac = await hmacHex("SHA-256", key, `${signature.timestamp}${signature.token}`);
    const body = `{"signature":{"token":"${signature.token}","timestamp":"${signature.timestamp}","signature":"${mac}"},"event-data":${eventDataJson}}`;
    await expect(mailgun({ secret: key }).verify(incomingWebhook({}, body))).resolves.toMatchObject({
      id: signature.token,
      timestamp: T,
    });
    const encoded = await mailgun({ secret: key }).encode({ id: signature.token, timestamp: T, body: eventDataJson });
    expect(encoded).toEqual({ headers: { "content-type": "application/json" }, body });
  });

  it("authenticates the request, not the event data: Mailgun does not sign it (the single-use token is what protects it)", async () => {
    const body = await encode(key, eventDataJson, signature.token);
    const changed = body.replace("alice@example.com", "mallory@example.com");
    await expect(mailgun({ secret: key }).verify(incomingWebhook({}, changed))).resolves.toMatchObject({
      id: signature.token,
    });
  });

  it("says what is wrong with a body without a usable signature, and that sign() cannot carry one", async () => {
    const scheme = mailgun({ secret: key });
    expect(await codeOf(scheme.verify(incomingWebhook({}, "not json")))).toBe("malformed_body");
    expect(await codeOf(scheme.verify(incomingWebhook({}, `{"event-data":${eventDataJson}}`)))).toBe("malformed_body");
    expect(
      await codeOf(
        scheme.verify(incomingWebhook({}, '{"signature":{"timestamp":1700000000,"token":"t","signature":"00"}}')),
      ),
    ).toBe("malformed_body");
    expect(await codeOf(scheme.sign({ id: "t", timestamp: T, body: "{}" }))).toBe("invalid_options");
    expect(await codeOf(scheme.encode({ id: "t", timestamp: T, body: "[1]" }))).toBe("invalid_options");
    expect(await codeOf(scheme.encode({ id: "has space", timestamp: T, body: "{}" }))).toBe("invalid_options");
  });
});
