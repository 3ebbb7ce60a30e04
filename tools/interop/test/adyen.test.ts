// Adyen: @adyen/api-library's HmacValidator against our adyen preset, both ways. The SDK signs
// and checks one NotificationRequestItem at a time; a notification carries them in
// `notificationItems`, each with its signature in additionalData.hmacSignature.
import { hmacValidator } from "@adyen/api-library";
import { providers } from "@hooksec/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receive, refusalCode } from "./support/receive.js";

type Item = Record<string, unknown> & {
  additionalData?: Record<string, unknown>;
  amount: { value: number; currency: string };
};
type Validated = Parameters<hmacValidator["validateHMAC"]>[0];

const key = "9F8E2A1C3B4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7";
const otherKey = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";
const validator = new hmacValidator();
const scheme = providers.adyen.create({ secret: key });

// Values with the separator, escapes and non-ASCII text: the SDK joins them with ":" unescaped, and so must we.
const text = fc.oneof(
  fc.string({ maxLength: 20, unit: "grapheme" }),
  fc.constantFrom("INV:42", "a\\b", "x::y", "Zürich €", ""),
);
const item: fc.Arbitrary<Item> = fc.record(
  {
    pspReference: fc.stringMatching(/^[A-Z0-9]{16}$/),
    originalReference: text,
    merchantAccountCode: text,
    merchantReference: text,
    amount: fc.record({ value: fc.integer({ min: 0, max: 10 ** 12 }), currency: fc.stringMatching(/^[A-Z]{3}$/) }),
    eventCode: fc.constantFrom("AUTHORISATION", "CAPTURE", "REFUND", "CANCEL_OR_REFUND", "CHARGEBACK"),
    success: fc.constantFrom("true", "false"),
    eventDate: fc.constant("2026-11-30T10:00:00+01:00"),
  },
  { requiredKeys: ["pspReference", "merchantAccountCode", "merchantReference", "amount", "eventCode", "success"] },
);
const items = fc.array(item, { minLength: 1, maxLength: 3 });
const notification = (list: readonly Item[]) =>
  JSON.stringify({
    live: "false",
    notificationItems: list.map((NotificationRequestItem) => ({ NotificationRequestItem })),
  });
const itemsOf = (body: string) =>
  (JSON.parse(body) as { notificationItems: { NotificationRequestItem: Item }[] }).notificationItems.map(
    (entry) => entry.NotificationRequestItem,
  );
const sdkAccepts = (entry: Item, hmacKey: string) => validator.validateHMAC(entry as unknown as Validated, hmacKey);

describe("adyen: @adyen/api-library HmacValidator", () => {
  it("accepts every item our preset signs, and refuses it with a signed field changed", async () => {
    await fc.assert(
      fc.asyncProperty(items, async (list) => {
        const { body } = await scheme.encode({ id: "ignored", timestamp: new Date(), body: notification(list) });
        for (const entry of itemsOf(body as string)) {
          expect(sdkAccepts(entry, key)).toBe(true);
          expect(sdkAccepts({ ...entry, amount: { ...entry.amount, value: entry.amount.value + 1 } }, key)).toBe(false);
          expect(sdkAccepts({ ...entry, merchantReference: `${String(entry.merchantReference)}:` }, key)).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("we accept a notification whose items the SDK signed, and refuse it with any item changed", async () => {
    await fc.assert(
      fc.asyncProperty(items, fc.nat(), async (list, at) => {
        const signed: Item[] = list.map((entry) => ({
          ...entry,
          additionalData: { hmacSignature: validator.calculateHmac(entry as unknown as Validated, key) },
        }));
        const webhook = await receive(scheme, {
          headers: { "content-type": "application/json" },
          body: notification(signed),
        });
        expect(webhook.id).toBe(`${signed[0]?.pspReference}:${signed[0]?.eventCode}`);
        expect(webhook.timestamp).toBeUndefined();
        const changed = signed.map((entry, i) =>
          i === at % signed.length ? { ...entry, success: entry.success === "true" ? "false" : "true" } : entry,
        );
        expect(await refusalCode(receive(scheme, { headers: {}, body: notification(changed) }))).toBe(
          "invalid_signature",
        );
      }),
      { numRuns: 100 },
    );
  });

  it("both refuse another HMAC key", async () => {
    const entry = {
      pspReference: "7914073381342284",
      merchantAccountCode: "TestMerchant",
      merchantReference: "r-1",
      amount: { value: 1130, currency: "EUR" },
      eventCode: "AUTHORISATION",
      success: "true",
    };
    const { body } = await providers.adyen
      .create({ secret: otherKey })
      .encode({ id: "x", timestamp: new Date(), body: notification([entry]) });
    expect(sdkAccepts(itemsOf(body as string)[0] as Item, key)).toBe(false);
    expect(await refusalCode(receive(scheme, { headers: {}, body: body as string }))).toBe("invalid_signature");
  });
});
