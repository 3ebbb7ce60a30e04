import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmac } from "./test-support/recipe.js";
import fc from "fast-check";
import { vi } from "vitest";
import { cryptoBackend } from "#crypto";
import { encodeBase64 } from "../../lib/base64.js";
import { utf8 } from "../../lib/utf8.js";
import { MAX_TWILIO_FORM_BYTES, MAX_TWILIO_FORM_PARAMETERS, twilio } from "./twilio.js";

const incoming = (headers: Record<string, string>, body: Uint8Array | string, url = "https://receiver.test/hooks") =>
  incomingWebhook(headers, body, url);
const T = new Date(1_700_000_000_000);

// Twilio's documented examples: https://www.twilio.com/docs/usage/security#validating-requests
const TWILIO_DOC = {
  authToken: "12345",
  url: "https://mycompany.com/myapp.php?foo=1&bar=2",
  form: "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212",
  signature: "GvWf1cFY/Q7PnoempGyD5oXAezc=",
  jsonBody: '{"property": "value", "boolean": true}',
  bodyHash: "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
  jsonSignature: "a9nBmqA0ju/hNViExpshrM61xv4=",
};

const formBody = fc
  .array(fc.tuple(fc.stringMatching(/^[A-Za-z]{1,8}$/), fc.string({ maxLength: 12 })), { maxLength: 6 })
  .map((pairs) => new URLSearchParams(pairs).toString());

describeConformance(hmacConformance("twilio", twilio, { body: formBody, headers: ["x-twilio-signature"] }));

describe("twilio documentation vectors", () => {
  // Twilio's documented token "12345" is too short to be accepted as a secret, so the
  // vectors are checked in two steps: the documented string-to-sign gives the documented
  // signature under "12345", and the scheme signs exactly that string under a real-length token.
  const TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"; // 32 hex characters, as Twilio issues them
  const TWILIO_FORM_SIGNED = `${TWILIO_DOC.url}CallSidCA1234567890ABCDECaller+14158675310Digits1234From+14158675310To+18005551212`;
  async function hmacSha1(key: string, text: string): Promise<string> {
    const encoder = new TextEncoder();
    const imported = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-1" }, false, [
      "sign",
    ]);
    return encodeBase64(new Uint8Array(await crypto.subtle.sign("HMAC", imported, encoder.encode(text))));
  }

  it("refuses the documentation's 5-character token with invalid_options", () => {
    expect(() => twilio({ secret: TWILIO_DOC.authToken })).toThrowError(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });

  it("signs Twilio's documented form example as documented, and verifies it with and without the default port", async () => {
    expect(await hmacSha1(TWILIO_DOC.authToken, TWILIO_FORM_SIGNED)).toBe(TWILIO_DOC.signature);
    const scheme = twilio({ secret: TWILIO_TOKEN });
    const headers = { "x-twilio-signature": await hmacSha1(TWILIO_TOKEN, TWILIO_FORM_SIGNED) };
    expect(await scheme.sign({ id: "x", timestamp: new Date(), body: TWILIO_DOC.form, url: TWILIO_DOC.url })).toEqual(
      headers,
    );
    await expect(scheme.verify(incoming(headers, TWILIO_DOC.form, TWILIO_DOC.url))).resolves.toBeDefined();
    await expect(
      scheme.verify(incoming(headers, TWILIO_DOC.form, "https://mycompany.com:443/myapp.php?foo=1&bar=2")),
    ).resolves.toBeDefined();
    expect(
      await codeOf(scheme.verify(incoming(headers, TWILIO_DOC.form, "https://mycompany.com/myapp.php?foo=1&bar=3"))),
    ).toBe("invalid_signature");
    expect(await codeOf(scheme.verify(incoming(headers, `${TWILIO_DOC.form}&Extra=1`, TWILIO_DOC.url)))).toBe(
      "invalid_signature",
    );
  });

  it("signs the documented JSON example through bodySHA256 and checks the body hash", async () => {
    const url = `${TWILIO_DOC.url}&bodySHA256=${TWILIO_DOC.bodyHash}`;
    expect(await hmacSha1(TWILIO_DOC.authToken, url)).toBe(TWILIO_DOC.jsonSignature);
    const scheme = twilio({ secret: TWILIO_TOKEN });
    const headers = { "x-twilio-signature": await hmacSha1(TWILIO_TOKEN, url) };
    // signing a JSON delivery: the URL carries the body's hash, as Twilio sends it
    expect(await scheme.sign({ id: "x", timestamp: new Date(), body: TWILIO_DOC.jsonBody, url })).toEqual(headers);
    await expect(scheme.verify(incoming(headers, TWILIO_DOC.jsonBody, url))).resolves.toBeDefined();
    expect(await codeOf(scheme.verify(incoming(headers, TWILIO_DOC.jsonBody.replace("value", "valuE"), url)))).toBe(
      "invalid_signature",
    );
    expect(await codeOf(scheme.sign({ id: "x", timestamp: new Date(), body: "a=1" }))).toBe("invalid_options");
  });
});

describe("twilio: what Twilio signs, as its SDK computes it", () => {
  // Regression: Twilio's SDK signs a repeated name's distinct values only (`new Set(values)`,
  // sorted); we wrote every value, so a callback repeating a value was refused (found by the
  // interop test against the twilio SDK, tools/interop/test/twilio.test.ts).
  const token = "0123456789abcdef0123456789abcdef";
  const url = "https://receiver.test/hooks";
  it("signs a repeated name's distinct values once each, sorted, and verifies that", async () => {
    const form = "MediaUrl=b&MediaUrl=a&MediaUrl=b&Body=hi";
    const headers = {
      "x-twilio-signature": encodeBase64(await hmac("SHA-1", token, `${url}BodyhiMediaUrlaMediaUrlb`)),
    };
    expect(await twilio({ secret: token }).sign({ id: "x", timestamp: T, body: form, url })).toEqual(headers);
    await expect(twilio({ secret: token }).verify(incoming(headers, form, url))).resolves.toBeDefined();
    expect(await codeOf(twilio({ secret: token }).verify(incoming(headers, `${form}&MediaUrl=c`, url)))).toBe(
      "invalid_signature",
    );
  });

  // Regression: Twilio signs the URL as configured (`?name=O'Brien`), a receiver's Request.url has
  // the query's ' escaped by the URL parser (%27): we refused every such callback.
  it("verifies a URL whose query had a ' escaped to %27 by the URL parser", async () => {
    const configured = "https://receiver.test/hooks?name=O'Brien";
    const headers = { "x-twilio-signature": encodeBase64(await hmac("SHA-1", token, `${configured}Bodyhi`)) };
    await expect(
      twilio({ secret: token }).verify(incoming(headers, "Body=hi", new URL(configured).href)),
    ).resolves.toBeDefined();
    await expect(
      twilio({ secret: token }).verify(incoming(headers, "Body=hi", "https://receiver.test:443/hooks?name=O%27Brien")),
    ).resolves.toBeDefined();
    expect(
      await codeOf(
        twilio({ secret: token }).verify(incoming(headers, "Body=hi", "https://receiver.test/hooks?name=O%27Brian")),
      ),
    ).toBe("invalid_signature");
  });
});

describe("twilio: bounded work before the MAC", () => {
  const secret = "0123456789abcdef0123456789abcdef";
  const url = "https://receiver.test/hooks";
  const form = (count: number, valueLength = 1) =>
    Array.from({ length: count }, (_, i) => `P${i}=${"x".repeat(valueLength)}`).join("&");

  it(`accepts ${MAX_TWILIO_FORM_PARAMETERS} parameters and refuses one more with malformed_body, signed or not`, async () => {
    const scheme = twilio({ secret });
    const atCap = form(MAX_TWILIO_FORM_PARAMETERS);
    const signed = await scheme.sign({ id: "x", timestamp: T, body: atCap, url });
    await expect(scheme.verify(incoming(signed, atCap, url))).resolves.toBeDefined();
    const over = form(MAX_TWILIO_FORM_PARAMETERS + 1);
    expect(await codeOf(scheme.verify(incoming(signed, over, url)))).toBe("malformed_body");
    // Empty parameters count too: the cap is on separators, found without parsing.
    expect(await codeOf(scheme.verify(incoming(signed, "&".repeat(MAX_TWILIO_FORM_PARAMETERS), url)))).toBe(
      "malformed_body",
    );
    // A sender cannot sign what a receiver would refuse.
    expect(await codeOf(scheme.sign({ id: "x", timestamp: T, body: over, url }))).toBe("invalid_options");
  });

  it(`refuses a form body over ${MAX_TWILIO_FORM_BYTES} bytes with malformed_body`, async () => {
    const scheme = twilio({ secret });
    const big = form(4, MAX_TWILIO_FORM_BYTES / 4);
    const headers = { "x-twilio-signature": encodeBase64(new Uint8Array(20)) };
    expect(await codeOf(scheme.verify(incoming(headers, big, url)))).toBe("malformed_body");
    expect(await codeOf(scheme.sign({ id: "x", timestamp: T, body: big, url }))).toBe("invalid_options");
  });

  it("refuses any form body over either cap, whatever its shape (property)", async () => {
    const scheme = twilio({ secret });
    const headers = { "x-twilio-signature": encodeBase64(new Uint8Array(20)) };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 * MAX_TWILIO_FORM_PARAMETERS }),
        fc.integer({ min: 0, max: 200 }),
        async (count, length) => {
          const body = form(count, length);
          const over = count > MAX_TWILIO_FORM_PARAMETERS || utf8(body).length > MAX_TWILIO_FORM_BYTES;
          expect(await codeOf(scheme.verify(incoming(headers, body, url)))).toBe(
            over ? "malformed_body" : "invalid_signature",
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("hashes a JSON body (bodySHA256) only once the MAC over the URL holds", async () => {
    const scheme = twilio({ secret });
    const signedUrl = `${TWILIO_DOC.url}&bodySHA256=${TWILIO_DOC.bodyHash}`;
    const genuine = await scheme.sign({ id: "x", timestamp: T, body: TWILIO_DOC.jsonBody, url: signedUrl });
    await scheme.verify(incoming(genuine, TWILIO_DOC.jsonBody, signedUrl)); // keys imported
    const digest = vi.spyOn(cryptoBackend, "digest");
    try {
      const forged = { "x-twilio-signature": encodeBase64(new Uint8Array(20)) };
      expect(await codeOf(scheme.verify(incoming(forged, "x".repeat(1 << 20), signedUrl)))).toBe("invalid_signature");
      expect(digest).not.toHaveBeenCalled();
      expect(await codeOf(scheme.verify(incoming(genuine, `${TWILIO_DOC.jsonBody} `, signedUrl)))).toBe(
        "invalid_signature",
      );
      expect(digest).toHaveBeenCalledTimes(1);
    } finally {
      digest.mockRestore();
    }
  });
});
