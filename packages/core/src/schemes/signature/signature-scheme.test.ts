import { cryptoBackend } from "#crypto";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { encodeBase64 } from "../../lib/base64.js";
import { ecdsaDerToRaw, ecdsaRawToDer } from "../../lib/ecdsa-signature.js";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import type { SignatureAlgorithm } from "./algorithm.js";
import { MAX_ASYMMETRIC_SIGNATURES } from "./define-signature-scheme.js";
import { signatureScheme } from "./signature-scheme.js";

const GENERATE: Record<string, RsaHashedKeyGenParams | EcKeyGenParams | AlgorithmIdentifier> = {
  ed25519: { name: "Ed25519" },
  "ecdsa-p256-sha256": { name: "ECDSA", namedCurve: "P-256" },
  "rsa-pkcs1-sha256": {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  },
  "rsa-pss-sha256": {
    name: "RSA-PSS",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  },
};

/** A key pair as JWKs (portable: no PEM tooling needed on the edge runtime). */
async function jwkPair(algorithm: string): Promise<{ privateKey: JsonWebKey; publicKey: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey(GENERATE[algorithm] as EcKeyGenParams, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  return {
    privateKey: await crypto.subtle.exportKey("jwk", pair.privateKey),
    publicKey: await crypto.subtle.exportKey("jwk", pair.publicKey),
  };
}

const message = { id: "m1", timestamp: new Date(1_700_000_000_000), body: '{"ok":true}' };
const layout = {
  name: "acme",
  signatureHeader: "x-sig",
  timestampHeader: "x-ts",
  signedContent: "{timestamp}.{body}",
  encoding: "base64",
} as const;

describe.each(Object.keys(GENERATE) as SignatureAlgorithm[])("signatureScheme with %s", (algorithm) => {
  it("round-trips, rotates public keys, refuses tampering and another key", async () => {
    const [current, old] = [await jwkPair(algorithm), await jwkPair(algorithm)];
    const sender = signatureScheme({ ...layout, algorithm, privateKey: current.privateKey });
    const receiver = signatureScheme({
      ...layout,
      algorithm,
      publicKeys: [
        { id: "new", key: current.publicKey },
        { id: "old", key: old.publicKey },
      ],
    });
    const headers = await sender.sign(message);
    const result = await receiver.verify(incomingWebhook(headers, message.body));
    expect(result).toMatchObject({ keyId: "new", timestamp: message.timestamp });
    // no signed id: the SHA-256 of the signed content deduplicates (a signature may be randomised)
    expect(result.id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect((await receiver.verify(incomingWebhook(await sender.sign(message), message.body))).id).toBe(result.id);
    const fromOld = await signatureScheme({ ...layout, algorithm, privateKey: old.privateKey }).sign(message);
    expect((await receiver.verify(incomingWebhook(fromOld, message.body))).keyId).toBe("old");
    expect(await codeOf(receiver.verify(incomingWebhook(headers, `${message.body} `)))).toBe("invalid_signature");
    expect(await codeOf(receiver.verify(incomingWebhook({ ...headers, "x-ts": "1700000001" }, message.body)))).toBe(
      "invalid_signature",
    );
    const stranger = signatureScheme({ ...layout, algorithm, publicKey: (await jwkPair(algorithm)).publicKey });
    expect(await codeOf(stranger.verify(incomingWebhook(headers, message.body)))).toBe("invalid_signature");
    // a public key verifies, it cannot sign
    expect(await codeOf(receiver.sign(message))).toBe("invalid_options");
  });

  it("answers garbage signature headers with a WebhookError", async () => {
    const receiver = signatureScheme({ ...layout, algorithm, publicKey: (await jwkPair(algorithm)).publicKey });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.base64String({ maxLength: 600 })),
        fc.stringMatching(/^\d{0,12}$/),
        async (signature, ts) => {
          const code = await codeOf(receiver.verify(incomingWebhook({ "x-sig": signature, "x-ts": ts }, "{}")));
          expect(["missing_header", "malformed_header", "invalid_signature"]).toContain(code);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("signatureScheme keys and options", () => {
  it("refuses a private key given as publicKey, a key of another algorithm, secrets for a key algorithm, and unknown algorithms", async () => {
    const ec = await jwkPair("ecdsa-p256-sha256");
    const build = (options: Record<string, unknown>) =>
      signatureScheme({ ...layout, algorithm: "ecdsa-p256-sha256", ...options } as never);
    // keys are imported on first use (Web Crypto imports are asynchronous): the refusal comes then
    const wellFormed = { "x-sig": encodeBase64(ecdsaRawToDer(new Uint8Array(64).fill(1))), "x-ts": "1" };
    expect(await codeOf(build({ publicKey: ec.privateKey }).verify(incomingWebhook(wellFormed, "")))).toBe(
      "invalid_options",
    );
    const ed = await jwkPair("ed25519");
    expect(await codeOf(build({ publicKey: ed.publicKey }).verify(incomingWebhook(wellFormed, "")))).toBe(
      "invalid_options",
    );
    expect(() => build({ secret: "a-secret-of-enough-length" })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => build({ publicKey: "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----" })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => build({})).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(() => signatureScheme({ ...layout, algorithm: "rsa-md5" as never, publicKey: ec.publicKey })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => signatureScheme({ ...layout, algorithm: "ed25519", saltLength: 20, publicKey: ec.publicKey })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => signatureScheme({ ...layout, algorithm: "hmac-sha256", publicKey: ec.publicKey } as never)).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });

  it("verifies Ed25519 with a raw hex public key, as Discord publishes it", async () => {
    const pair = await jwkPair("ed25519");
    const raw = Uint8Array.from(atob((pair.publicKey.x as string).replaceAll("-", "+").replaceAll("_", "/")), (c) =>
      c.charCodeAt(0),
    );
    const hex = Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
    const options = { ...layout, algorithm: "ed25519", keyEncoding: "hex", encoding: "hex" } as const;
    const headers = await signatureScheme({ ...options, privateKey: pair.privateKey }).sign(message);
    await expect(
      signatureScheme({ ...options, publicKey: hex }).verify(incomingWebhook(headers, message.body)),
    ).resolves.toMatchObject({
      keyId: expect.stringMatching(/^ed25519:[0-9a-f]{12}$/),
    });
  });

  it(`tries at most ${MAX_ASYMMETRIC_SIGNATURES} asymmetric signatures per header, refusing more before any verification`, async () => {
    const pair = await jwkPair("ecdsa-p256-sha256");
    const options = {
      ...layout,
      algorithm: "ecdsa-p256-sha256",
      signatureParams: { separator: ",", signatureKey: "s", timestampKey: "t" },
      timestampHeader: undefined,
    } as const;
    const receiver = signatureScheme({
      ...options,
      publicKeys: [pair.publicKey, (await jwkPair("ecdsa-p256-sha256")).publicKey],
    });
    const signed = (await signatureScheme({ ...options, privateKey: pair.privateKey }).sign(message))[
      "x-sig"
    ] as string;
    const bogus = `s=${encodeBase64(ecdsaRawToDer(new Uint8Array(64).fill(7)))}`;
    await expect(
      receiver.verify(incomingWebhook({ "x-sig": `${signed},${bogus}` }, message.body)),
    ).resolves.toMatchObject({ keyId: expect.any(String) });
    const verify = vi.spyOn(cryptoBackend, "asymmetricVerify");
    try {
      expect(
        await codeOf(receiver.verify(incomingWebhook({ "x-sig": `${signed},${bogus},${bogus}` }, message.body))),
      ).toBe("malformed_header");
      expect(verify).not.toHaveBeenCalled();
      expect(
        await codeOf(receiver.verify(incomingWebhook({ "x-sig": `t=1700000000,${bogus},${bogus}` }, message.body))),
      ).toBe("invalid_signature");
      expect(verify.mock.calls.length).toBeLessThanOrEqual(2 * MAX_ASYMMETRIC_SIGNATURES);
    } finally {
      verify.mockRestore();
    }
  });
});

describe("ECDSA signature encodings", () => {
  it("converts DER and r||s both ways, and refuses non-minimal or trailing DER", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
        expect(ecdsaDerToRaw(ecdsaRawToDer(raw), 32)).toEqual(raw);
      }),
    );
    const der = ecdsaRawToDer(new Uint8Array(64).fill(1));
    expect(ecdsaDerToRaw(Uint8Array.from([...der, 0]), 32)).toBeUndefined();
    expect(ecdsaDerToRaw(Uint8Array.from([0x30, 6, 2, 2, 0, 1, 2, 1, 1]), 32)).toBeUndefined(); // padded r
    expect(ecdsaDerToRaw(Uint8Array.from([0x30, 6, 2, 1, 0x81, 2, 1, 1]), 32)).toBeUndefined(); // negative r
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => void ecdsaDerToRaw(bytes, 32)));
  });
});
