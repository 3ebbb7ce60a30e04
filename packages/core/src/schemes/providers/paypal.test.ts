import * as asn1js from "asn1js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeBase64 } from "../../lib/base64.js";
import { utf8 } from "../../lib/utf8.js";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { paypal, type PaypalCertificateFetcher } from "./paypal.js";
import { crc32 } from "./paypal-crc32.js";
import { type ConformanceKey, describeConformance, T } from "./test-support/conformance.js";

const WEBHOOK_ID = "8PT597110X687430LTEST";
const DAY_MS = 86_400_000;
const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};

const sha256WithRsa = () =>
  new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: "1.2.840.113549.1.1.11" }), new asn1js.Null()] });
const commonName = (cn: string) =>
  new asn1js.Sequence({
    value: [
      new asn1js.Set({
        value: [
          new asn1js.Sequence({
            value: [new asn1js.ObjectIdentifier({ value: "2.5.4.3" }), new asn1js.Utf8String({ value: cn })],
          }),
        ],
      }),
    ],
  });

/** A self-signed X.509 v3 certificate for the pair, made here with asn1js and Web Crypto (no process, no network). */
async function testCertificate(pair: CryptoKeyPair, validity: { notBefore: Date; notAfter: Date }): Promise<string> {
  const spki = await crypto.subtle.exportKey("spki", pair.publicKey);
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Integer({ value: 2 })] }),
      new asn1js.Integer({ value: Math.floor(Math.random() * 2 ** 31) }),
      sha256WithRsa(),
      commonName("hooksec test PayPal certificate (not real)"),
      new asn1js.Sequence({
        value: [
          new asn1js.UTCTime({ valueDate: validity.notBefore }),
          new asn1js.UTCTime({ valueDate: validity.notAfter }),
        ],
      }),
      commonName("messageverificationcerts.sandbox.paypal.test"),
      asn1js.fromBER(spki).result,
    ],
  });
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, tbs.toBER(false));
  const certificate = new asn1js.Sequence({
    value: [tbs, sha256WithRsa(), new asn1js.BitString({ valueHex: signature })],
  });
  const base64 = encodeBase64(new Uint8Array(certificate.toBER(false)));
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
}

interface PaypalKey {
  readonly url: string;
  readonly pem: string;
  readonly privateKey: JsonWebKey;
  readonly pair: CryptoKeyPair;
}

// RSA-2048 key generation is slow: four pairs, handed out in turn (consecutive keys always differ),
// each with its own certificate and URL.
const pairs = Array.from(
  { length: 4 },
  () => crypto.subtle.generateKey(RSA, true, ["sign", "verify"]) as Promise<CryptoKeyPair>,
);
let nextPair = 0;
beforeAll(() => Promise.all(pairs), 60_000);

async function paypalKey(
  validity = { notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + DAY_MS) },
): Promise<PaypalKey> {
  const pair = await (pairs[nextPair++ % pairs.length] as Promise<CryptoKeyPair>);
  const url = `https://api.sandbox.paypal.com/v1/notifications/certs/CERT-${crypto.randomUUID()}`;
  return {
    url,
    pem: await testCertificate(pair, validity),
    privateKey: await crypto.subtle.exportKey("jwk", pair.privateKey),
    pair,
  };
}

/** PayPal's certificate host, offline: the certificates it serves, and every URL it was asked for. */
function fakePaypal(keys: readonly PaypalKey[]) {
  const asked: string[] = [];
  const fetchCertificate: PaypalCertificateFetcher = async (url) => {
    asked.push(url);
    return keys.find((key) => key.url === url)?.pem;
  };
  return { asked, fetchCertificate };
}

const sender = (key: PaypalKey, webhookId = WEBHOOK_ID) =>
  paypal({ webhookId, privateKey: key.privateKey, certificateUrl: key.url });
const receiver = (keys: readonly PaypalKey[], fake = fakePaypal(keys)) =>
  paypal({ webhookId: WEBHOOK_ID, fetchCertificate: fake.fetchCertificate });

describeConformance({
  name: "paypal",
  newKey: async (): Promise<ConformanceKey> => {
    const key = await paypalKey();
    return { signing: key, verifying: key };
  },
  sender: (key) => sender(key.signing as PaypalKey),
  // Mutated certificate paths each cost one fetch: a budget above the properties' runs keeps them about signatures.
  receiver: (keys) =>
    paypal({
      webhookId: WEBHOOK_ID,
      fetchCertificate: fakePaypal(keys.map((key) => key.verifying as PaypalKey)).fetchCertificate,
      certificateCache: { maxFetchesPerMinute: 10_000 },
    }),
  runs: 40,
});

/** CRC-32 bit by bit, straight from its definition: an independent check of the table-driven one. */
function crc32BitByBit(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("paypal", () => {
  it("computes CRC-32 as PayPal signs it: the check value, and any bytes", () => {
    expect(crc32(utf8("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        expect(crc32(bytes)).toBe(crc32BitByBit(bytes));
      }),
    );
  });

  // PayPal's documented recipe (https://developer.paypal.com/api/rest/webhooks/rest/): RSA-SHA256 over
  // `transmissionId|transmissionTime|webhookId|crc32(body)`, recomputed here on Web Crypto.
  it("verifies the documented recipe with the certificate the URL serves, and signs it back the same", async () => {
    const key = await paypalKey();
    const body = '{"id":"WH-9UG43882HX7271132-6E0871324L7949614","event_type":"PAYMENT.SALE.COMPLETED"}';
    const [id, time] = ["d938e770-8046-11e6-8103-6b62a8a99ac4", "2023-11-14T22:13:20Z"];
    const message = new TextEncoder().encode(`${id}|${time}|${WEBHOOK_ID}|${crc32BitByBit(utf8(body))}`);
    const signature = encodeBase64(
      new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key.pair.privateKey, message)),
    );
    const headers = {
      "paypal-transmission-id": id,
      "paypal-transmission-time": time,
      "paypal-transmission-sig": signature,
      "paypal-cert-url": key.url,
      "paypal-auth-algo": "SHA256withRSA",
    };
    await expect(receiver([key]).verify(incomingWebhook(headers, body))).resolves.toMatchObject({
      id,
      timestamp: T,
      keyId: key.url,
    });
    expect(await sender(key).sign({ id, timestamp: new Date(T.getTime() + 999), body })).toEqual(headers);
    expect(await codeOf(receiver([key]).verify(incomingWebhook(headers, `${body} `)))).toBe("invalid_signature");
    const otherWebhook = await sender(key, "OTHERWEBHOOK1").sign({ id, timestamp: T, body });
    expect(await codeOf(receiver([key]).verify(incomingWebhook(otherWebhook, body)))).toBe("invalid_signature");
  });

  it("refuses a certificate URL off PayPal's API hosts with untrusted_key, without fetching it", async () => {
    const key = await paypalKey();
    const fake = fakePaypal([key]);
    const headers = await sender(key).sign({ id: "t-1", timestamp: T, body: "{}" });
    const path = "/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77";
    const refused = [
      `http://api.paypal.com${path}`,
      `https://evil.test${path}`,
      `https://api.paypal.com.evil.test${path}`,
      `https://evilapi.paypal.com${path}`,
      `https://paypal.com${path}`,
      `https://api.paypal.com.${path}`,
      `https://user:pass@api.paypal.com${path}`,
      `https://api.paypal.com@evil.test${path}`,
      `https://api.paypal.com:8443${path}`,
      `https://api.paypal.com:443${path}`,
      `https://API.PAYPAL.COM${path}`,
      `https://api.paypal.com/v1/oauth2/token`,
      `https://api.paypal.com/v1/notifications/certs/`,
      `https://api.paypal.com/v1/notifications/certs/../../oauth2/token`,
      `https://api.paypal.com${path}?x=1`,
      `https://api.paypal.com${path}#x`,
      `https://127.0.0.1${path}`,
      `file:///etc/passwd`,
      "not a url",
    ];
    for (const url of refused) {
      expect(
        await codeOf(receiver([key], fake).verify(incomingWebhook({ ...headers, "paypal-cert-url": url }, "{}"))),
        url,
      ).toBe("untrusted_key");
    }
    expect(fake.asked).toEqual([]);
    for (const host of ["api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com"]) {
      expect(
        await codeOf(
          receiver([key], fake).verify(
            incomingWebhook({ ...headers, "paypal-cert-url": `https://${host}${path}` }, "{}"),
          ),
        ),
      ).toBe("invalid_signature");
    }
    expect(fake.asked).toHaveLength(4);
    expect(() =>
      paypal({ webhookId: WEBHOOK_ID, privateKey: key.privateKey, certificateUrl: `https://evil.test${path}` }),
    ).toThrow(expect.objectContaining({ code: "invalid_options" }));
  });

  it("fetches a certificate once while cached, refuses an expired one, and answers 503 when it cannot be read", async () => {
    const key = await paypalKey();
    const fake = fakePaypal([key]);
    const scheme = receiver([key], fake);
    for (let i = 0; i < 3; i++)
      await scheme.verify(incomingWebhook(await sender(key).sign({ id: `t-${i}`, timestamp: T, body: "{}" }), "{}"));
    expect(fake.asked).toEqual([key.url]);

    const expired = await paypalKey({
      notBefore: new Date(Date.now() - 2 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const old = await sender(expired).sign({ id: "t-old", timestamp: T, body: "{}" });
    expect(await codeOf(receiver([expired]).verify(incomingWebhook(old, "{}")))).toBe("invalid_signature");

    let calls = 0;
    const broken = (answer: () => Promise<string>) =>
      paypal({
        webhookId: WEBHOOK_ID,
        fetchCertificate: () => {
          calls++;
          return answer();
        },
      });
    const headers = await sender(key).sign({ id: "t-9", timestamp: T, body: "{}" });
    const unreachable = broken(() => Promise.reject(new Error("ECONNREFUSED")));
    for (let i = 0; i < 2; i++)
      expect(await codeOf(unreachable.verify(incomingWebhook(headers, "{}")))).toBe("key_set_unavailable");
    expect(calls).toBe(1);
    expect(await codeOf(broken(async () => "<html>maintenance</html>").verify(incomingWebhook(headers, "{}")))).toBe(
      "key_set_unavailable",
    );
    expect(
      await codeOf(broken(async () => key.pem.replace(/[A-Z]{8}/, "AAAAAAAA")).verify(incomingWebhook(headers, "{}"))),
    ).toBe("key_set_unavailable");
  });

  it("bounds fetches of made-up certificate URLs: past the budget, 503 without fetching", async () => {
    const key = await paypalKey();
    const fake = fakePaypal([]);
    const scheme = paypal({
      webhookId: WEBHOOK_ID,
      fetchCertificate: fake.fetchCertificate,
      certificateCache: { maxFetchesPerMinute: 2 },
    });
    const headers = await sender(key).sign({ id: "t-1", timestamp: T, body: "{}" });
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const url = `https://api.paypal.com/v1/notifications/certs/CERT-made-up-${i}`;
      codes.push(await codeOf(scheme.verify(incomingWebhook({ ...headers, "paypal-cert-url": url }, "{}"))));
    }
    expect(codes).toEqual(["invalid_signature", "invalid_signature", "key_set_unavailable", "key_set_unavailable"]);
    expect(fake.asked).toHaveLength(2);
  });

  it("refuses another auth algorithm, and says what is missing in its options", async () => {
    const key = await paypalKey();
    const headers = await sender(key).sign({ id: "t-1", timestamp: T, body: "{}" });
    for (const algorithm of ["SHA1withRSA", "sha256withrsa", "SHA256withECDSA"]) {
      expect(
        await codeOf(receiver([key]).verify(incomingWebhook({ ...headers, "paypal-auth-algo": algorithm }, "{}"))),
      ).toBe("algorithm_not_allowed");
    }
    expect(
      await codeOf(
        receiver([key]).verify(incomingWebhook({ ...headers, "paypal-transmission-time": "1700000000" }, "{}")),
      ),
    ).toBe("malformed_header");
    expect(() => paypal({ webhookId: "", fetchCertificate: fakePaypal([]).fetchCertificate })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => paypal({ webhookId: WEBHOOK_ID })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(() => paypal({ webhookId: WEBHOOK_ID, privateKey: key.privateKey })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(await codeOf(receiver([key]).sign({ id: "t-1", timestamp: T, body: "{}" }))).toBe("invalid_options");
    expect(await codeOf(sender(key).verify(incomingWebhook(headers, "{}")))).toBe("invalid_options");
  });
});
