// Twilio: the twilio SDK's validateRequest / validateRequestWithBody / getExpectedTwilioSignature
// against our twilio preset, for form callbacks (URL + sorted parameters) and JSON callbacks
// (URL carrying bodySHA256).
import { parse as parseForm } from "node:querystring";
import { twilio as twilioScheme } from "@hooksec/core";
import fc from "fast-check";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, tamper } from "./support/receive.js";

const authToken = "twilio-auth-token-interop-not-real";
const scheme = twilioScheme({ secret: authToken });
const URL_FORM = "https://receiver.test/twilio/sms?tenant=acme";
const URL_JSON = "https://receiver.test/twilio/events";

/** What Express' `urlencoded({ extended: false })` hands the SDK: repeated names as arrays. */
const paramsOf = (form: string) => parseForm(form) as Record<string, string | string[]>;

/** Form callbacks: names and values of any text, some names repeated (with equal values too). */
const formBody = fc
  .array(fc.tuple(fc.constantFrom("Body", "From", "To", "MediaUrl0", "Body"), fc.string({ maxLength: 24 })), {
    maxLength: 8,
  })
  .chain((pairs) =>
    fc
      .array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 16 })), { maxLength: 4 })
      .map((more) => [...pairs, ...more]),
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

const jsonBody = fc.json({ maxDepth: 2 });

function jsonUrl(body: string): string {
  return `${URL_JSON}?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
}

describe("twilio SDK: form callbacks", () => {
  it("validateRequest accepts what our preset signs, and refuses a changed parameter", async () => {
    await fc.assert(
      fc.asyncProperty(formBody, async (form) => {
        const headers = await scheme.sign({ id: "x", timestamp: new Date(), body: form, url: URL_FORM });
        const signature = headers["x-twilio-signature"] as string;
        expect(twilio.validateRequest(authToken, signature, URL_FORM, paramsOf(form))).toBe(true);
        expect(twilio.validateRequest(authToken, signature, URL_FORM, { ...paramsOf(form), Tampered: "1" })).toBe(
          false,
        );
      }),
      { numRuns: 150 },
    );
  });

  it("we accept what getExpectedTwilioSignature signs, and refuse it with a parameter changed", async () => {
    await fc.assert(
      fc.asyncProperty(formBody, async (form) => {
        const headers = {
          "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, URL_FORM, paramsOf(form)),
        };
        await expect(receive(scheme, { headers, body: form, url: URL_FORM })).resolves.toMatchObject({
          timestamped: false,
        });
        const changed = `${form}${form === "" ? "" : "&"}Tampered=1`;
        expect(await refusalCode(receive(scheme, { headers, body: changed, url: URL_FORM }))).toBe("invalid_signature");
      }),
      { numRuns: 150 },
    );
  });

  it("a repeated parameter with equal values counts once, as the SDK signs it", async () => {
    const form = "MediaUrl=https%3A%2F%2Fa.test%2F1&MediaUrl=https%3A%2F%2Fa.test%2F1&Body=hi";
    const headers = { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, URL_FORM, paramsOf(form)) };
    await expect(receive(scheme, { headers, body: form, url: URL_FORM })).resolves.toMatchObject({
      timestamped: false,
    });
    const ours = await scheme.sign({ id: "x", timestamp: new Date(), body: form, url: URL_FORM });
    expect(ours["x-twilio-signature"]).toBe(headers["x-twilio-signature"]);
  });

  it("the URL with or without its default port, as the SDK tries it", async () => {
    const form = "Body=hello&From=%2B15550001111";
    const withPort = "https://receiver.test:443/twilio/sms?tenant=acme";
    const headers = { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, withPort, paramsOf(form)) };
    expect(twilio.validateRequest(authToken, headers["x-twilio-signature"], URL_FORM, paramsOf(form))).toBe(true);
    await expect(receive(scheme, { headers, body: form, url: URL_FORM })).resolves.toMatchObject({
      timestamped: false,
    });
    expect(await refusalCode(receive(scheme, { headers, body: form, url: "https://receiver.test/twilio/other" }))).toBe(
      "invalid_signature",
    );
  });

  it("a configured URL with ' in its query: Twilio signs it as written, our receiver sees it as WHATWG URL writes it (%27)", async () => {
    const configured = "https://receiver.test/twilio/sms?name=O'Brien&tenant=acme";
    const form = "Body=hello";
    const headers = { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, configured, paramsOf(form)) };
    expect(twilio.validateRequest(authToken, headers["x-twilio-signature"], configured, paramsOf(form))).toBe(true);
    const received = new URL(configured).href;
    expect(received).toContain("O%27Brien");
    await expect(receive(scheme, { headers, body: form, url: received })).resolves.toMatchObject({
      timestamped: false,
    });
    expect(
      await refusalCode(receive(scheme, { headers, body: form, url: received.replace("O%27Brien", "O%27Brian") })),
    ).toBe("invalid_signature");
  });

  it("both refuse another auth token", async () => {
    const form = "Body=hello";
    const headers = await twilioScheme({ secret: "another-twilio-auth-token" }).sign({
      id: "x",
      timestamp: new Date(),
      body: form,
      url: URL_FORM,
    });
    expect(twilio.validateRequest(authToken, headers["x-twilio-signature"] as string, URL_FORM, paramsOf(form))).toBe(
      false,
    );
    expect(await refusalCode(receive(scheme, { headers, body: form, url: URL_FORM }))).toBe("invalid_signature");
  });
});

describe("twilio SDK: JSON callbacks (bodySHA256)", () => {
  it("validateRequestWithBody accepts what our preset signs, and refuses a changed body", async () => {
    await fc.assert(
      fc.asyncProperty(jsonBody, async (body) => {
        const url = jsonUrl(body);
        const headers = await scheme.sign({ id: "x", timestamp: new Date(), body, url });
        const signature = headers["x-twilio-signature"] as string;
        expect(twilio.validateRequestWithBody(authToken, signature, url, body)).toBe(true);
        expect(twilio.validateRequestWithBody(authToken, signature, url, tamper(body))).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("we accept what the SDK signs (URL with bodySHA256, no parameters), and refuse a changed body", async () => {
    await fc.assert(
      fc.asyncProperty(jsonBody, async (body) => {
        const url = jsonUrl(body);
        const headers = { "x-twilio-signature": twilio.getExpectedTwilioSignature(authToken, url, {}) };
        expect(twilio.validateRequestWithBody(authToken, headers["x-twilio-signature"], url, body)).toBe(true);
        await expect(receive(scheme, { headers, body, url })).resolves.toMatchObject({ timestamped: false });
        expect(await refusalCode(receive(scheme, { headers, body: tamper(body), url }))).toBe("invalid_signature");
      }),
      { numRuns: 100 },
    );
  });
});
