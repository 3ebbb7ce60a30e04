import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { plaid, type PlaidKeyFetcher, type PlaidVerificationKey } from "./plaid.js";
import { type ConformanceKey, describeConformance, jwkKey } from "./test-support/conformance.js";

async function plaidKey(): Promise<ConformanceKey> {
  const { signing, verifying } = await jwkKey({ name: "ECDSA", namedCurve: "P-256" });
  const kid = crypto.randomUUID();
  return { signing: { ...(signing as JsonWebKey), kid }, verifying: { ...(verifying as JsonWebKey), kid } };
}

/** Plaid's /webhook_verification_key/get, offline: the keys it knows, and every kid it was asked for. */
function fakePlaid(keys: readonly ConformanceKey[]) {
  const asked: string[] = [];
  const keyFetcher: PlaidKeyFetcher = async (kid) => {
    asked.push(kid);
    return keys.map((key) => key.verifying as PlaidVerificationKey).find((key) => key.kid === kid);
  };
  return { asked, keyFetcher };
}

describeConformance({
  name: "plaid",
  newKey: plaidKey,
  sender: (key) => plaid({ privateKey: key.signing as JsonWebKey }),
  // Mutated kids each cost one fetch: a budget above the properties' runs keeps them about signatures.
  receiver: (keys) => plaid({ keyFetcher: fakePlaid(keys).keyFetcher, keyCache: { maxFetchesPerMinute: 10_000 } }),
});

const base64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

describe("plaid", () => {
  // A webhook Plaid signed, with the key /webhook_verification_key/get returned for its kid, from the
  // Stack Overflow question "Hashing Plaid request body (webhook)" (mirrored at
  // https://exchangetuts.com/hashing-plaid-request-body-webhook-1641639545050570). The body is the
  // question's body.json as Plaid sent it, 2-space indented: its SHA-256 is the signed claim.
  const vector = {
    jwt: "eyJhbGciOiJFUzI1NiIsImtpZCI6IjZjNTUxNmUxLTkyZGMtNDc5ZS1hOGZmLTVhNTE5OTJlMDAwMSIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE1OTA4ODcwMDEsInJlcXVlc3RfYm9keV9zaGEyNTYiOiJiNjNhMDdiNTQ3YjAwZjk5MjU0N2Y2YmJjOGQ5YWNjNjFhOGNjZWUxMzhiYzgyZjQ0YTZiYWEwOTY4M2E1ZDBmIn0.OOKvIihgqCj7Qrb2bmz7T3t7uK-0JyjiEqL2s1kWeJBM4MMmjaHKK8GmU_z91QolBWMzvPgs718EElY-rE3cwQ",
    key: {
      alg: "ES256",
      created_at: 1560466143,
      crv: "P-256",
      expired_at: null,
      kid: "6c5516e1-92dc-479e-a8ff-5a51992e0001",
      kty: "EC",
      use: "sig",
      x: "35lvC8uz2QrWpQJ3TUH8t9o9DURMp7ydU518RKDl20k",
      y: "I8BuXB2bvxelzJAd7OKhd-ZwjCst05Fx47Mb_0ugros",
    } satisfies PlaidVerificationKey,
    body: '{\n  "error": null,\n  "item_id": "yxQbxDjnD8hr69pKbQpbcKeVn3GL9QuyA7NV3",\n  "new_transactions": 390,\n  "webhook_code": "HISTORICAL_UPDATE",\n  "webhook_type": "TRANSACTIONS"\n}',
  };
  const vectorScheme = () => plaid({ keyFetcher: async (kid) => (kid === vector.key.kid ? vector.key : undefined) });

  it("verifies a webhook Plaid signed, with the key Plaid serves for its kid, and refuses its body re-serialised", async () => {
    const result = await vectorScheme().verify(incomingWebhook({ "plaid-verification": vector.jwt }, vector.body));
    expect(result.timestamp).toEqual(new Date(1_590_887_001_000));
    expect(result.keyId).toBe(vector.key.kid);
    const compact = JSON.stringify(JSON.parse(vector.body));
    expect(await codeOf(vectorScheme().verify(incomingWebhook({ "plaid-verification": vector.jwt }, compact)))).toBe(
      "invalid_signature",
    );
  });

  it("refuses an expired Plaid key, and a fetcher that answers with something other than the key", async () => {
    const headers = { "plaid-verification": vector.jwt };
    const expired = plaid({ keyFetcher: async () => ({ ...vector.key, expired_at: 1_700_000_000 }) });
    expect(await codeOf(expired.verify(incomingWebhook(headers, vector.body)))).toBe("invalid_signature");
    const wholeResponse = plaid({
      keyFetcher: async () => ({ key: vector.key, request_id: "x" }) as unknown as PlaidVerificationKey,
    });
    expect(await codeOf(wholeResponse.verify(incomingWebhook(headers, vector.body)))).toBe("invalid_options");
    const otherKid = plaid({ keyFetcher: async () => ({ ...vector.key, kid: "another" }) });
    expect(await codeOf(otherKid.verify(incomingWebhook(headers, vector.body)))).toBe("invalid_options");
  });

  it("refuses any alg but ES256, and keys carried by the JWT, before asking for a key", async () => {
    const key = await plaidKey();
    const { asked, keyFetcher } = fakePlaid([key]);
    const receiver = plaid({ keyFetcher });
    const [, payload, signature] = vector.jwt.split(".");
    const forge = (header: Record<string, unknown>) => ({
      "plaid-verification": `${base64url(header)}.${payload}.${signature}`,
    });
    for (const alg of ["none", "HS256", "RS256", "ES384", "EdDSA"]) {
      expect(
        await codeOf(receiver.verify(incomingWebhook(forge({ alg, kid: "k", typ: "JWT" }), vector.body))),
        alg,
      ).toBe("algorithm_not_allowed");
    }
    const jwk = key.verifying as JsonWebKey;
    expect(await codeOf(receiver.verify(incomingWebhook(forge({ alg: "ES256", kid: "k", jwk }), vector.body)))).toBe(
      "untrusted_key",
    );
    expect(
      await codeOf(
        receiver.verify(incomingWebhook(forge({ alg: "ES256", kid: "k", jku: "https://evil.test/" }), vector.body)),
      ),
    ).toBe("untrusted_key");
    expect(await codeOf(receiver.verify(incomingWebhook(forge({ alg: "ES256", typ: "JWT" }), vector.body)))).toBe(
      "malformed_header",
    );
    expect(asked).toEqual([]);
  });

  it("fetches a kid once while it is cached, and an unknown kid once per retry period", async () => {
    const key = await plaidKey();
    const { asked, keyFetcher } = fakePlaid([key]);
    const receiver = plaid({ keyFetcher });
    const sender = plaid({ privateKey: key.signing as JsonWebKey });
    const message = { id: "x", timestamp: new Date(1_700_000_000_000), body: '{"webhook_type":"ITEM"}' };
    for (let i = 0; i < 3; i++) await receiver.verify(incomingWebhook(await sender.sign(message), message.body));
    const stranger = plaid({ privateKey: { ...((await plaidKey()).signing as JsonWebKey), kid: "unknown-kid" } });
    const forged = await stranger.sign(message);
    for (let i = 0; i < 3; i++)
      expect(await codeOf(receiver.verify(incomingWebhook(forged, message.body)))).toBe("invalid_signature");
    expect(asked).toEqual([(key.verifying as JsonWebKey & { kid: string }).kid, "unknown-kid"]);
  });

  it("bounds fetches of made-up kids: past the budget, 503 without asking Plaid", async () => {
    const { asked, keyFetcher } = fakePlaid([]);
    const receiver = plaid({ keyFetcher, keyCache: { maxFetchesPerMinute: 3 } });
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const signer = plaid({ privateKey: { ...((await plaidKey()).signing as JsonWebKey), kid: `made-up-${i}` } });
      codes.push(
        await codeOf(
          receiver.verify(incomingWebhook(await signer.sign({ id: "x", timestamp: new Date(), body: "{}" }), "{}")),
        ),
      );
    }
    expect(codes).toEqual([
      "invalid_signature",
      "invalid_signature",
      "invalid_signature",
      "key_set_unavailable",
      "key_set_unavailable",
      "key_set_unavailable",
    ]);
    expect(asked).toHaveLength(3);
  });

  it("answers 503 when Plaid cannot be asked, and does not ask again at once", async () => {
    let calls = 0;
    const receiver = plaid({
      keyFetcher: async () => {
        calls++;
        throw new Error("ECONNRESET");
      },
    });
    for (let i = 0; i < 2; i++)
      expect(await codeOf(receiver.verify(incomingWebhook({ "plaid-verification": vector.jwt }, vector.body)))).toBe(
        "key_set_unavailable",
      );
    expect(calls).toBe(1);
  });

  it("abandons a key fetch that hangs (503) and aborts its signal", async () => {
    let signal: AbortSignal | undefined;
    const receiver = plaid({
      keyFetcher: (_kid, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      },
      keyCache: { timeoutMs: 10 },
    });
    expect(await codeOf(receiver.verify(incomingWebhook({ "plaid-verification": vector.jwt }, vector.body)))).toBe(
      "key_set_unavailable",
    );
    expect(signal?.aborted).toBe(true);
  });

  it("signs `{alg: ES256, kid, typ: JWT}` with iat and the body's SHA-256, as Plaid does", async () => {
    const key = await plaidKey();
    const body = '{"webhook_type":"TRANSACTIONS"}';
    const headers = await plaid({ privateKey: key.signing as JsonWebKey }).sign({
      id: "x",
      timestamp: new Date(1_700_000_000_900),
      body,
    });
    const [header, payload] = (headers["plaid-verification"] as string)
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(atob(part.replaceAll("-", "+").replaceAll("_", "/"))));
    expect(header).toEqual({ alg: "ES256", kid: (key.signing as { kid: string }).kid, typ: "JWT" });
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
    expect(payload).toEqual({
      iat: 1_700_000_000,
      request_body_sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    });
    expect(() => plaid({})).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(
      await codeOf(plaid({ keyFetcher: fakePlaid([]).keyFetcher }).sign({ id: "x", timestamp: new Date(), body })),
    ).toBe("invalid_options");
  });

  it("answers any header value with a WebhookError and never calls the fetcher for a value that is not a JWT", async () => {
    const { asked, keyFetcher } = fakePlaid([]);
    const receiver = plaid({ keyFetcher });
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (value) => {
        const code = await codeOf(receiver.verify(incomingWebhook({ "plaid-verification": value }, "{}")));
        expect(["missing_header", "malformed_header"]).toContain(code);
      }),
    );
    expect(asked).toEqual([]);
  });
});
