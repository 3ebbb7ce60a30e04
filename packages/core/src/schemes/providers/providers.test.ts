import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeBase64 } from "../../lib/base64.js";
import { headerReader } from "../../lib/headers.js";
import { utf8 } from "../../lib/utf8.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import { hmacScheme } from "../hmac/hmac-scheme.js";
import type { OutgoingWebhook, WebhookScheme } from "../types.js";
import { github } from "./github.js";
import { shopify } from "./shopify.js";
import { slack } from "./slack.js";
import { stripe } from "./stripe.js";
import { MAX_TWILIO_FORM_BYTES, MAX_TWILIO_FORM_PARAMETERS, twilio } from "./twilio.js";
import { cryptoBackend } from "#crypto";
import { vi } from "vitest";
import { codeOf } from "../../test-support/outcome.js";
import { incomingWebhook } from "../../test-support/fixtures.js";

const incoming = (headers: Record<string, string>, body: Uint8Array | string, url = "https://receiver.test/hooks") =>
  incomingWebhook(headers, body, url);

// Providers' published documentation examples.
const SLACK_DOC = {
  secret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};
const GITHUB_DOC = {
  secret: "It's a Secret to Everybody",
  body: "Hello, World!",
  signature: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
};
const TWILIO_DOC = {
  authToken: "12345",
  url: "https://mycompany.com/myapp.php?foo=1&bar=2",
  form: "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212",
  signature: "GvWf1cFY/Q7PnoempGyD5oXAezc=",
  jsonBody: '{"property": "value", "boolean": true}',
  bodyHash: "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
  jsonSignature: "a9nBmqA0ju/hNViExpshrM61xv4=",
};

describe("documentation vectors", () => {
  it("slack: verifies and re-creates Slack's documented example", async () => {
    const scheme = slack({ secret: SLACK_DOC.secret });
    const headers = { "x-slack-signature": SLACK_DOC.signature, "x-slack-request-timestamp": SLACK_DOC.timestamp };
    const result = await scheme.verify(incoming(headers, SLACK_DOC.body));
    expect(result.timestamp?.getTime()).toBe(Number(SLACK_DOC.timestamp) * 1000);
    const signed = await scheme.sign({ id: "unused", timestamp: new Date(Number(SLACK_DOC.timestamp) * 1000), body: SLACK_DOC.body });
    expect(signed).toEqual(headers);
  });

  it("github: verifies GitHub's documented example and refuses the legacy SHA-1 header alone", async () => {
    const scheme = github({ secret: GITHUB_DOC.secret });
    const result = await scheme.verify(
      incoming({ "x-hub-signature-256": GITHUB_DOC.signature, "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" }, GITHUB_DOC.body),
    );
    expect(result).toMatchObject({ id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", timestamp: undefined });
    // the delivery id is not signed: the MAC, which is, deduplicates
    expect(result.replayKey).toBe(encodeBase64(Uint8Array.from(GITHUB_DOC.signature.slice(7).match(/../g) ?? [], (h) => parseInt(h, 16))));
    expect(scheme.timestamped).toBe(false);
    expect((await scheme.sign({ id: "d1", timestamp: new Date(), body: GITHUB_DOC.body }))["x-hub-signature-256"]).toBe(GITHUB_DOC.signature);
    const legacy = { "x-hub-signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59" };
    expect(await codeOf(scheme.verify(incoming(legacy, GITHUB_DOC.body)))).toBe("missing_header");
  });

  // Twilio's documented token "12345" is too short to be accepted as a secret, so the
  // vectors are checked in two steps: the documented string-to-sign gives the documented
  // signature under "12345", and the scheme signs exactly that string under a real-length token.
  const TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"; // 32 hex characters, as Twilio issues them
  const TWILIO_FORM_SIGNED = `${TWILIO_DOC.url}CallSidCA1234567890ABCDECaller+14158675310Digits1234From+14158675310To+18005551212`;
  async function hmacSha1(key: string, text: string): Promise<string> {
    const encoder = new TextEncoder();
    const imported = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
    return encodeBase64(new Uint8Array(await crypto.subtle.sign("HMAC", imported, encoder.encode(text))));
  }

  it("twilio: refuses the documentation's 5-character token with invalid_options", () => {
    expect(() => twilio({ secret: TWILIO_DOC.authToken })).toThrowError(expect.objectContaining({ code: "invalid_options" }));
  });

  it("twilio: signs Twilio's documented form example as documented, and verifies it with and without the default port", async () => {
    expect(await hmacSha1(TWILIO_DOC.authToken, TWILIO_FORM_SIGNED)).toBe(TWILIO_DOC.signature);
    const scheme = twilio({ secret: TWILIO_TOKEN });
    const headers = { "x-twilio-signature": await hmacSha1(TWILIO_TOKEN, TWILIO_FORM_SIGNED) };
    expect(await scheme.sign({ id: "x", timestamp: new Date(), body: TWILIO_DOC.form, url: TWILIO_DOC.url })).toEqual(headers);
    await expect(scheme.verify(incoming(headers, TWILIO_DOC.form, TWILIO_DOC.url))).resolves.toBeDefined();
    await expect(scheme.verify(incoming(headers, TWILIO_DOC.form, "https://mycompany.com:443/myapp.php?foo=1&bar=2"))).resolves.toBeDefined();
    expect(await codeOf(scheme.verify(incoming(headers, TWILIO_DOC.form, "https://mycompany.com/myapp.php?foo=1&bar=3")))).toBe(
      "invalid_signature",
    );
    expect(await codeOf(scheme.verify(incoming(headers, `${TWILIO_DOC.form}&Extra=1`, TWILIO_DOC.url)))).toBe("invalid_signature");
  });

  it("twilio: signs the documented JSON example through bodySHA256 and checks the body hash", async () => {
    const url = `${TWILIO_DOC.url}&bodySHA256=${TWILIO_DOC.bodyHash}`;
    expect(await hmacSha1(TWILIO_DOC.authToken, url)).toBe(TWILIO_DOC.jsonSignature);
    const scheme = twilio({ secret: TWILIO_TOKEN });
    const headers = { "x-twilio-signature": await hmacSha1(TWILIO_TOKEN, url) };
    // signing a JSON delivery: the URL carries the body's hash, as Twilio sends it
    expect(await scheme.sign({ id: "x", timestamp: new Date(), body: TWILIO_DOC.jsonBody, url })).toEqual(headers);
    await expect(scheme.verify(incoming(headers, TWILIO_DOC.jsonBody, url))).resolves.toBeDefined();
    expect(await codeOf(scheme.verify(incoming(headers, TWILIO_DOC.jsonBody.replace("value", "valuE"), url)))).toBe("invalid_signature");
    expect(await codeOf(scheme.sign({ id: "x", timestamp: new Date(), body: "a=1" }))).toBe("invalid_options");
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
    expect(await codeOf(scheme.verify(incoming(signed, "&".repeat(MAX_TWILIO_FORM_PARAMETERS), url)))).toBe("malformed_body");
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
      fc.asyncProperty(fc.integer({ min: 1, max: 3 * MAX_TWILIO_FORM_PARAMETERS }), fc.integer({ min: 0, max: 200 }), async (count, length) => {
        const body = form(count, length);
        const over = count > MAX_TWILIO_FORM_PARAMETERS || utf8(body).length > MAX_TWILIO_FORM_BYTES;
        expect(await codeOf(scheme.verify(incoming(headers, body, url)))).toBe(over ? "malformed_body" : "invalid_signature");
      }),
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
      expect(await codeOf(scheme.verify(incoming(genuine, `${TWILIO_DOC.jsonBody} `, signedUrl)))).toBe("invalid_signature");
      expect(digest).toHaveBeenCalledTimes(1);
    } finally {
      digest.mockRestore();
    }
  });
});

const T = new Date(1_700_000_000_000);
const message = (body: Uint8Array | string, id = "msg_1"): OutgoingWebhook => ({ id, timestamp: T, body, url: "https://receiver.test/hooks" });

interface Case {
  readonly name: string;
  readonly make: (secret: string) => WebhookScheme;
  /** Bodies this format can carry (Twilio form bodies are parsed). */
  readonly body: fc.Arbitrary<Uint8Array | string>;
  readonly headers: readonly string[];
}

const formBody = fc
  .array(fc.tuple(fc.stringMatching(/^[A-Za-z]{1,8}$/), fc.string({ maxLength: 12 })), { maxLength: 6 })
  .map((pairs) => new URLSearchParams(pairs).toString());

const cases: Case[] = [
  { name: "stripe", make: (secret) => stripe({ secret }), body: fc.uint8Array({ maxLength: 512 }), headers: ["stripe-signature"] },
  { name: "github", make: (secret) => github({ secret }), body: fc.uint8Array({ maxLength: 512 }), headers: ["x-hub-signature-256"] },
  { name: "slack", make: (secret) => slack({ secret }), body: fc.uint8Array({ maxLength: 512 }), headers: ["x-slack-signature", "x-slack-request-timestamp"] },
  { name: "shopify", make: (secret) => shopify({ secret }), body: fc.uint8Array({ maxLength: 512 }), headers: ["x-shopify-hmac-sha256"] },
  { name: "twilio", make: (secret) => twilio({ secret }), body: formBody, headers: ["x-twilio-signature"] },
  {
    name: "hmacScheme",
    make: (secret) =>
      hmacScheme({
        name: "acme",
        secret,
        signatureHeader: "X-Acme-Signature",
        prefix: "sha512=",
        algorithm: "SHA-512",
        encoding: "base64",
        idHeader: "x-acme-id",
        timestampHeader: "x-acme-timestamp",
        signedContent: "{id}.{timestamp}.{body}",
      }),
    body: fc.uint8Array({ maxLength: 512 }),
    headers: ["x-acme-signature", "x-acme-id", "x-acme-timestamp"],
  },
];

describe.each(cases)("$name", ({ make, body, headers: headerNames }) => {
  const secret = "test-secret-Ωα-not-real";
  const scheme = make(secret);

  it("round-trips arbitrary bodies", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const headers = await scheme.sign(message(payload));
        const result = await scheme.verify(incoming(headers, payload));
        expect(typeof result.id).toBe("string");
        expect(result.id.length).toBeGreaterThan(0);
        if (scheme.timestamped) expect(result.timestamp?.getTime()).toBe(T.getTime());
        else expect(result.timestamp).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it("rejects a different secret, any body change and any signed-header change", async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom(...headerNames, "body"), async (payload, position, flip, target) => {
        const headers = await scheme.sign(message(payload));
        expect(await codeOf(make("another-secret-not-real").verify(incoming(headers, payload)))).toBe("invalid_signature");
        let mutatedBody = typeof payload === "string" ? utf8(payload) : payload;
        const mutated = { ...headers };
        if (target === "body") {
          mutatedBody = utf8(`${typeof payload === "string" ? payload : encodeBase64(payload)}&z=${flip}`);
          if (typeof payload !== "string") {
            mutatedBody = new Uint8Array([...payload, flip]);
          }
        } else {
          const value = headers[target] as string;
          const index = position % value.length;
          const code = value.charCodeAt(index);
          // stay inside printable ASCII so this tests the MAC, with the parser as a second line
          mutated[target] = value.slice(0, index) + String.fromCharCode(code === 0x7e ? 0x21 : code + 1) + value.slice(index + 1);
        }
        const code = await codeOf(scheme.verify(incoming(mutated, mutatedBody)));
        expect(["invalid_signature", "malformed_header", "malformed_body"]).toContain(code);
      }),
      { numRuns: 150 },
    );
  });

  it("answers garbage headers with a WebhookError, never another exception", async () => {
    const value = fc.option(fc.oneof(fc.string(), fc.stringMatching(/^[ -~]{0,90}$/), fc.constant("")), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: headerNames.length, maxLength: headerNames.length }), fc.uint8Array({ maxLength: 64 }), async (values, payload) => {
        const headers: Record<string, string> = {};
        headerNames.forEach((name, i) => {
          const v = values[i];
          if (v !== undefined) headers[name] = v;
        });
        const code = await codeOf(scheme.verify(incoming(headers, payload)));
        expect(["missing_header", "malformed_header", "malformed_body", "invalid_signature"]).toContain(code);
      }),
      { numRuns: 300 },
    );
  });
});

describe("stripe", () => {
  const secret = "whsec_test_secret_not_real";
  it("names the message by the event id inside the signed body, and accepts any of several v1 signatures", async () => {
    const scheme = stripe({ secret });
    const body = '{"id":"evt_123","object":"event"}';
    const headers = await scheme.sign(message(body));
    expect(headers["stripe-signature"]).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    const other = (await stripe({ secret: "whsec_other_secret_not_real" }).sign(message(body)))["stripe-signature"]?.split(",")[1];
    const rolled = { "stripe-signature": `${headers["stripe-signature"]?.replace(",v1=", `,${other},v0=abc,v1=`)}` };
    const result = await scheme.verify(incoming(rolled, body));
    expect(result.id).toBe("evt_123");
    expect(result.replayKey).toBeUndefined();
  });

  it.each([
    [`v1=${"a".repeat(64)}`, "malformed_header"],
    [`t=1,t=2,v1=${"a".repeat(64)}`, "malformed_header"],
    [`t=abc,v1=${"a".repeat(64)}`, "malformed_header"],
    ["t=1,v1=abcd", "malformed_header"],
    [`t=1, v1=${"a".repeat(64)}`, "malformed_header"],
    [`t=1,v0=${"a".repeat(64)}`, "invalid_signature"],
  ])("refuses %j (%s)", async (value, code) => {
    expect(await codeOf(stripe({ secret }).verify(incoming({ "stripe-signature": value }, "{}")))).toBe(code);
  });

  it("goes through the verifier with freshness and deduplication on the event id", async () => {
    const scheme = stripe({ secret });
    const verifier = createVerifier({ scheme, now: () => T.getTime() + 1000 });
    const body = '{"id":"evt_dup"}';
    const first = await verifier.verifyParts({ method: "POST", url: "https://r.test/", headers: await scheme.sign(message(body)), body: utf8(body) });
    await first.complete();
    // Stripe retries the same event with a new timestamp and signature: still a duplicate
    const retry = await scheme.sign({ ...message(body), timestamp: new Date(T.getTime() + 500) });
    const second = await verifier.verifyParts({ method: "POST", url: "https://r.test/", headers: retry, body: utf8(body) });
    expect([first.duplicate, second.duplicate]).toEqual([false, true]);
    const stale = await scheme.sign({ ...message(body), timestamp: new Date(T.getTime() - 3_600_000) });
    expect(await codeOf(verifier.verifyParts({ method: "POST", url: "https://r.test/", headers: stale, body: utf8(body) }))).toBe(
      "timestamp_too_old",
    );
  });
});

describe("slack through the verifier", () => {
  it("bounds timestamps in the future too, unlike Slack's SDK", async () => {
    const scheme = slack({ secret: SLACK_DOC.secret });
    const verifier = createVerifier({ scheme, now: () => T.getTime(), tolerance: { pastSeconds: 300, futureSeconds: 60 } });
    const at = (offsetSeconds: number) => scheme.sign({ ...message("x=1"), timestamp: new Date(T.getTime() + offsetSeconds * 1000) });
    const parts = async (offset: number) => ({ method: "POST", url: "https://r.test/", headers: await at(offset), body: utf8("x=1") });
    await expect(verifier.verifyParts(await parts(30))).resolves.toMatchObject({ timestamped: true });
    expect(await codeOf(verifier.verifyParts(await parts(120)))).toBe("timestamp_in_future");
    expect(await codeOf(verifier.verifyParts(await parts(-400)))).toBe("timestamp_too_old");
  });
});

describe("github and shopify (no signed timestamp)", () => {
  it("deduplicates a replay with a forged delivery id on the MAC", async () => {
    const scheme = github({ secret: "github-secret-not-real" });
    const verifier = createVerifier({ scheme });
    const headers = await scheme.sign(message("{}", "delivery-1"));
    const first = await verifier.verifyParts({ method: "POST", url: "https://r.test/", headers, body: utf8("{}") });
    await first.complete();
    const replay = await verifier.verifyParts({
      method: "POST",
      url: "https://r.test/",
      headers: { ...headers, "x-github-delivery": "delivery-2" },
      body: utf8("{}"),
    });
    expect(first).toMatchObject({ duplicate: false, timestamped: false, timestamp: undefined });
    expect(replay.duplicate).toBe(true);
  });

  it("shopify reads the header in any case and names the message by its webhook id", async () => {
    const scheme = shopify({ secret: "shpss_secret_not_real" });
    const headers = await scheme.sign(message('{"id":1}', "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"));
    expect(Object.keys(headers).sort()).toEqual(["x-shopify-hmac-sha256", "x-shopify-webhook-id"]);
    const eventBus = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const canonical = { "X-Shopify-Hmac-Sha256": headers["x-shopify-hmac-sha256"] as string, "X-Shopify-Webhook-Id": headers["x-shopify-webhook-id"] as string };
    for (const shape of [eventBus, canonical, new Headers(canonical)]) {
      const result = await scheme.verify({ method: "POST", url: "https://r.test/", header: headerReader(shape), body: utf8('{"id":1}'), tenant: undefined });
      expect(result.id).toBe("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
    }
  });
});

describe("hmacScheme options", () => {
  it.each([
    [{ signedContent: "{timestamp}.body" }, "no {body}"],
    [{ signedContent: "{body}{body}" }, "body twice"],
    [{ signedContent: "{timestamp}.{body}" }, "{timestamp} without header"],
    [{ timestampHeader: "x-t" }, "timestamp header not signed"],
    [{ signedContent: "{id}.{body}" }, "{id} without header"],
    [{ signatureHeader: "bad header" }, "bad header name"],
    [{ encoding: "base32" }, "bad encoding"],
    [{ algorithm: "MD5" }, "bad algorithm"],
    [{ name: "" }, "no name"],
    [{ signedContent: "{timestamp}.{body}", timestampHeader: "x-t", signatureParams: { separator: ",", signatureKey: "v1", timestampKey: "t" } }, "two timestamps"],
    [{ signatureParams: { separator: "ab", signatureKey: "v1" } }, "long separator"],
    [{ signatureParams: { separator: ",", signatureKey: "v1", timestampKey: "v1" } }, "same keys"],
    [{ idJsonField: "id", idHeader: "x-id" }, "two ids"],
  ] as [Record<string, unknown>, string][])("refuses %j (%s) when built", (override) => {
    const options = { name: "x", secret: "x-secret-not-real", signatureHeader: "x-sig", ...override } as Parameters<typeof hmacScheme>[0];
    expect(() => hmacScheme(options)).toThrow(expect.objectContaining({ code: "invalid_options" }));
  });

  it("reads key=value signature headers (Paddle-style ts=...;h1=...), several MACs and the id from the signed body", async () => {
    const options = {
      name: "paddle",
      signatureHeader: "Paddle-Signature",
      signatureParams: { separator: ";", signatureKey: "h1", timestampKey: "ts" },
      signedContent: "{timestamp}:{body}",
      idJsonField: "event_id",
    } as const;
    const scheme = hmacScheme({ ...options, secret: "pdl_ntfset_not_real" });
    const body = '{"event_id":"evt_01h","data":{}}';
    const headers = await scheme.sign(message(body));
    expect(headers["paddle-signature"]).toMatch(/^ts=1700000000;h1=[0-9a-f]{64}$/);
    const other = (await hmacScheme({ ...options, secret: "pdl_ntfset_old_not_real" }).sign(message(body)))["paddle-signature"]?.split(";")[1];
    const result = await scheme.verify(incoming({ "paddle-signature": `${other};${headers["paddle-signature"]}` }, body));
    expect(result.id).toBe("evt_01h");
    expect(result.replayKey).toBeUndefined();
    expect(result.timestamp?.getTime()).toBe(T.getTime());
    expect(await codeOf(scheme.verify(incoming({ "paddle-signature": `h1=${"0".repeat(64)}` }, body)))).toBe("malformed_header");
  });

  it("refuses ids containing a signed separator, received or sent", async () => {
    const scheme = hmacScheme({ name: "x", secret: "x-secret-not-real", signatureHeader: "x-sig", idHeader: "x-id", signedContent: "{id}:{body}" });
    expect(await codeOf(scheme.sign(message("b", "a:b")))).toBe("invalid_options");
    const headers = await scheme.sign(message("b", "ab"));
    expect(await codeOf(scheme.verify(incoming({ ...headers, "x-id": "a:b" }, "b")))).toBe("malformed_header");
    await expect(scheme.verify(incoming(headers, "b"))).resolves.toMatchObject({ id: "ab" });
  });

  it("decodes base64 and hex secrets", async () => {
    const a = hmacScheme({ name: "x", secret: "YS1zZWNyZXQtb2YtMjAtYnl0ZXM=", secretEncoding: "base64", signatureHeader: "x-sig" });
    const b = hmacScheme({ name: "x", secret: "612d7365637265742d6f662d32302d6279746573", secretEncoding: "hex", signatureHeader: "x-sig" });
    const c = hmacScheme({ name: "x", secret: "a-secret-of-20-bytes", signatureHeader: "x-sig" });
    const headers = await a.sign(message("hello"));
    expect(await b.sign(message("hello"))).toEqual(headers);
    await expect(c.verify(incoming(headers, "hello"))).resolves.toBeDefined();
  });

  it("refuses a signature without its prefix", async () => {
    const scheme = hmacScheme({ name: "x", secret: "x-secret-not-real", signatureHeader: "x-sig", prefix: "sha256=" });
    const headers = await scheme.sign(message("b"));
    expect(await codeOf(scheme.verify(incoming({ "x-sig": (headers["x-sig"] as string).slice(7) }, "b")))).toBe("malformed_header");
  });
});
