import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8 } from "../../lib/utf8.js";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { adyen } from "./adyen.js";

// The shared conformance table signs headers; Adyen signs inside each notification item, so the
// same four properties are written here against encode(): round trip, one-character changes to
// what is signed, garbage bodies, key rotation; plus batches.
const hexKey = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0").toUpperCase()).join("");

const text = fc.string({ maxLength: 24, unit: "grapheme" });
const item = fc.record(
  {
    pspReference: fc.stringMatching(/^[A-Z0-9]{16}$/),
    originalReference: fc.option(text, { nil: undefined }),
    merchantAccountCode: text,
    merchantReference: text,
    amount: fc.record({ value: fc.integer({ min: 0, max: 10 ** 12 }), currency: fc.stringMatching(/^[A-Z]{3}$/) }),
    eventCode: fc.constantFrom("AUTHORISATION", "CAPTURE", "REFUND", "CANCELLATION", "REPORT_AVAILABLE"),
    success: fc.constantFrom("true", "false"),
    eventDate: fc.constant("2019-05-06T17:15:34.121+02:00"),
    additionalData: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 10 }), { maxKeys: 2 }),
  },
  { requiredKeys: ["pspReference", "merchantAccountCode", "merchantReference", "amount", "eventCode", "success"] },
);
const notification = fc.array(item, { minLength: 1, maxLength: 4 }).map((items) =>
  JSON.stringify({
    live: "false",
    notificationItems: items.map((NotificationRequestItem) => ({ NotificationRequestItem })),
  }),
);
const SIGNED = [
  "pspReference",
  "originalReference",
  "merchantAccountCode",
  "merchantReference",
  "value",
  "currency",
  "eventCode",
  "success",
] as const;

const T = new Date(1_700_000_000_000);
const encode = async (key: string, body: string) =>
  (await adyen({ secret: key }).encode({ id: "ignored", timestamp: T, body })).body as string;
type Parsed = {
  notificationItems: { NotificationRequestItem: Record<string, unknown> & { amount: Record<string, unknown> } }[];
};

/** One signed field of one item changed by one character (or the amount by one). */
function mutate(body: string, at: number, field: (typeof SIGNED)[number], position: number): string {
  const parsed = JSON.parse(body) as Parsed;
  const target = (parsed.notificationItems[at % parsed.notificationItems.length] as Parsed["notificationItems"][number])
    .NotificationRequestItem;
  const holder: Record<string, unknown> = field === "value" || field === "currency" ? target.amount : target;
  const value = holder[field];
  if (typeof value === "number") holder[field] = value + 1;
  else {
    const current = typeof value === "string" ? value : "";
    const index = current.length === 0 ? 0 : position % current.length;
    const code = current.charCodeAt(index);
    holder[field] =
      current.length === 0
        ? "x"
        : current.slice(0, index) + String.fromCharCode(code === 0x7e ? 0x21 : code + 1) + current.slice(index + 1);
  }
  return JSON.stringify(parsed);
}

describe("adyen: conformance (signatures in the body)", () => {
  it("round-trips any notification: every item signed, named by the first item's pspReference:eventCode, untimed", async () => {
    const key = hexKey();
    await fc.assert(
      fc.asyncProperty(notification, async (body) => {
        const signed = await encode(key, body);
        const result = await adyen({ secret: key }).verify(incomingWebhook({}, signed));
        const first = (JSON.parse(body) as Parsed).notificationItems[0]?.NotificationRequestItem;
        expect(result.id).toBe(`${first?.pspReference}:${first?.eventCode}`);
        expect(result.timestamp).toBeUndefined();
        expect(result.replayKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      }),
      { numRuns: 60 },
    );
  });

  it("refuses a change to any signed field of any item (the whole batch), and another key", async () => {
    const [key, other] = [hexKey(), hexKey()];
    await fc.assert(
      fc.asyncProperty(
        notification,
        fc.nat(),
        fc.constantFrom(...SIGNED),
        fc.nat(),
        async (body, at, field, position) => {
          const signed = await encode(key, body);
          expect(await codeOf(adyen({ secret: other }).verify(incomingWebhook({}, signed)))).toBe("invalid_signature");
          expect(
            await codeOf(adyen({ secret: key }).verify(incomingWebhook({}, mutate(signed, at, field, position)))),
          ).toBe("invalid_signature");
        },
      ),
      { numRuns: 60 },
    );
  });

  it("answers any body with a WebhookError, never another exception", async () => {
    const key = hexKey();
    const anyItem = fc.oneof(
      item,
      fc.jsonValue(),
      fc.record({ amount: fc.jsonValue(), additionalData: fc.record({ hmacSignature: fc.base64String() }) }),
    );
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.jsonValue().map((value) => utf8(JSON.stringify(value) ?? "")),
      fc.array(anyItem, { maxLength: 3 }).map((items) =>
        utf8(
          JSON.stringify({
            notificationItems: items.map((NotificationRequestItem) => ({ NotificationRequestItem })),
          }),
        ),
      ),
      fc.record({ notificationItems: fc.jsonValue() }).map((value) => utf8(JSON.stringify(value))),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        expect(["malformed_body", "invalid_signature"]).toContain(
          await codeOf(adyen({ secret: key }).verify(incomingWebhook({}, body))),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("rotates keys: accepts the newest and the older key and names which matched", async () => {
    const [newest, older] = [hexKey(), hexKey()];
    const body = JSON.stringify({
      notificationItems: [
        {
          NotificationRequestItem: {
            pspReference: "P",
            amount: { value: 1, currency: "EUR" },
            eventCode: "CAPTURE",
            success: "true",
          },
        },
      ],
    });
    const a = await adyen({ secrets: [newest, older] }).verify(incomingWebhook({}, await encode(newest, body)));
    const b = await adyen({ secrets: [newest, older] }).verify(incomingWebhook({}, await encode(older, body)));
    expect(a.keyId).toBeDefined();
    expect(a.keyId).not.toBe(b.keyId);
    expect(await codeOf(adyen({ secret: newest }).verify(incomingWebhook({}, await encode(older, body))))).toBe(
      "invalid_signature",
    );
  });
});

// Adyen's published example (https://docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures/),
// the vector Adyen's own API libraries test their HmacValidator with: its key, item and signature.
describe("adyen", () => {
  const key = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
  const published = {
    additionalData: { hmacSignature: "coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0=" },
    amount: { value: 1130, currency: "EUR" },
    pspReference: "7914073381342284",
    eventCode: "AUTHORISATION",
    eventDate: "2019-05-06T17:15:34.121+02:00",
    merchantAccountCode: "TestMerchant",
    merchantReference: "TestPayment-1407325143704",
    operations: ["CANCEL", "CAPTURE", "REFUND"],
    paymentMethod: "visa",
    success: "true",
  };
  const batch = (...items: object[]) =>
    JSON.stringify({
      live: "false",
      notificationItems: items.map((NotificationRequestItem) => ({ NotificationRequestItem })),
    });

  it("verifies Adyen's published example (no originalReference: an empty field) and signs it back the same", async () => {
    const result = await adyen({ secret: key }).verify(incomingWebhook({}, batch(published)));
    expect(result).toMatchObject({ id: "7914073381342284:AUTHORISATION", timestamp: undefined });
    const unsigned = { ...published, additionalData: {} };
    const signed = JSON.parse(await encode(key, batch(unsigned))) as Parsed;
    expect(signed.notificationItems[0]?.NotificationRequestItem.additionalData).toEqual(published.additionalData);
    await expect(
      adyen({ secret: key.toLowerCase() }).verify(incomingWebhook({}, batch({ ...published, originalReference: "" }))),
    ).resolves.toBeDefined();
  });

  it("accepts a batch only if every item verifies", async () => {
    const forged = { ...published, pspReference: "9999999999999999", merchantReference: "NEVER-HAPPENED" };
    expect(await codeOf(adyen({ secret: key }).verify(incomingWebhook({}, batch(published, forged))))).toBe(
      "invalid_signature",
    );
    expect(await codeOf(adyen({ secret: key }).verify(incomingWebhook({}, batch(forged, published))))).toBe(
      "invalid_signature",
    );
    const { additionalData: _, ...unsigned } = forged;
    expect(await codeOf(adyen({ secret: key }).verify(incomingWebhook({}, batch(published, unsigned))))).toBe(
      "malformed_body",
    );
    const two = await encode(key, batch(published, forged));
    await expect(adyen({ secret: key }).verify(incomingWebhook({}, two))).resolves.toMatchObject({
      id: "7914073381342284:AUTHORISATION",
    });
  });

  it("signs nothing time-bound: eventDate and the other fields may change, and the dedup key follows the signed fields", async () => {
    const moved = await adyen({ secret: key }).verify(
      incomingWebhook({}, batch({ ...published, eventDate: "2030-01-01T00:00:00+00:00", paymentMethod: "mc" })),
    );
    const original = await adyen({ secret: key }).verify(incomingWebhook({}, batch(published)));
    expect(moved.replayKey).toBe(original.replayKey);
    const corrected = JSON.parse(await encode(key, batch({ ...published, success: "false" }))) as Parsed;
    const flipped = await adyen({ secret: key }).verify(incomingWebhook({}, JSON.stringify(corrected)));
    expect(flipped.id).toBe(original.id);
    expect(flipped.replayKey).not.toBe(original.replayKey);
  });

  it("says what is wrong with a key or a body that is not a notification, and that sign() cannot carry the signatures", async () => {
    expect(() => adyen({ secret: "not hex" })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    const scheme = adyen({ secret: key });
    expect(await codeOf(scheme.verify(incomingWebhook({}, "[accepted]")))).toBe("malformed_body");
    expect(await codeOf(scheme.verify(incomingWebhook({}, '{"notificationItems":[]}')))).toBe("malformed_body");
    expect(await codeOf(scheme.verify(incomingWebhook({}, batch({ ...published, amount: "1130 EUR" }))))).toBe(
      "malformed_body",
    );
    expect(await codeOf(scheme.sign({ id: "x", timestamp: T, body: batch(published) }))).toBe("invalid_options");
    expect(await codeOf(scheme.encode({ id: "x", timestamp: T, body: "{}" }))).toBe("invalid_options");
  });
});
