import fc from "fast-check";
import { base64url, CompactEncrypt, compactDecrypt, decodeProtectedHeader, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { utf8 } from "../../lib/utf8.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import { jwe } from "./jwe.js";
import { jws } from "./jws.js";
import { sameDecodedSegments, type TestKeyPair, testKeyPair } from "./test-support/keys.js";
import { codeOf } from "../../test-support/outcome.js";
import { incomingWebhook } from "../../test-support/fixtures.js";

const incoming = (body: Uint8Array | string, headers: Record<string, string> = {}) => incomingWebhook(headers, body);

const NOW_S = Math.floor(Date.now() / 1000);
const message = (body: string, id = "msg_1") => ({ id, timestamp: new Date(NOW_S * 1000), body });

let signing: TestKeyPair;
let rsa: TestKeyPair;
let ec: TestKeyPair;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  signing = await testKeyPair("ES256", "sig-1");
  rsa = await testKeyPair("RSA-OAEP-256", "enc-rsa");
  ec = await testKeyPair("ECDH-ES+A256KW", "enc-ec", { crv: "P-256" });
  jwks = { keys: [signing.publicJwk] };
});

const innerSender = () => jws({ privateKey: signing.privateJwk, alg: "ES256" });
const innerReceiver = () => jws({ jwks, algorithms: ["ES256"] });

describe.each([
  ["RSA-OAEP-256", () => rsa],
  ["ECDH-ES+A256KW", () => ec],
] as const)("jwe with %s and A256GCM", (alg, keys) => {
  it("signs with inner then encrypts; decrypts then verifies with inner", async () => {
    const sender = jwe({ publicKey: keys().publicJwk, alg, inner: innerSender() });
    const receiver = jwe({ privateKey: keys().privateJwk, alg, inner: innerReceiver() });
    const { headers, body } = await sender.encode(message('{"secret":"data"}'));
    expect(headers["content-type"]).toBe("application/jose");
    expect(decodeProtectedHeader(body as string)).toMatchObject({
      alg,
      enc: "A256GCM",
      cty: "JWT",
      kid: keys().privateJwk.kid,
    });
    expect(body as string).not.toContain("secret");
    const result = await receiver.verify(incoming(body));
    expect(result).toMatchObject({ id: "msg_1", keyId: "sig-1" });
    expect(JSON.parse(new TextDecoder().decode(result.payload))).toMatchObject({ secret: "data", jti: "msg_1" });
    expect(receiver.timestamped).toBe(true);
    expect(receiver.name).toBe("jwe+jws");
  });

  it("interoperates with jose directly in both directions", async () => {
    const { body: inner } = await innerSender().encode(message('{"k":1}', "m-2"));
    const token = await new CompactEncrypt(utf8(inner as string))
      .setProtectedHeader({ alg, enc: "A256GCM", cty: "JWT" })
      .encrypt(keys().publicKey);
    await expect(
      jwe({ privateKey: keys().privateKey, alg, inner: innerReceiver() }).verify(incoming(token)),
    ).resolves.toMatchObject({ id: "m-2" });
    const { body } = await jwe({ publicKey: keys().publicKey, alg, inner: innerSender() }).encode(message('{"k":2}'));
    const { plaintext } = await compactDecrypt(body as string, keys().privateKey);
    expect(new TextDecoder().decode(plaintext).split(".")).toHaveLength(3);
  });

  it("rejects any change to the JWE", async () => {
    const { body } = await jwe({ publicKey: keys().publicJwk, alg, inner: innerSender() }).encode(message("{}"));
    const token = body as string;
    const receiver = jwe({ privateKey: keys().privateJwk, alg, inner: innerReceiver() });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 63 }), async (position, shift) => {
        const index = position % token.length;
        if (token.charAt(index) === ".") return;
        const mutated =
          token.slice(0, index) +
          alphabet.charAt((alphabet.indexOf(token.charAt(index)) + shift) % 64) +
          token.slice(index + 1);
        if (sameDecodedSegments(token, mutated)) return;
        const code = await codeOf(receiver.verify(incoming(mutated)));
        expect(code).not.toBe("accepted");
      }),
      { numRuns: 60 },
    );
  });
});

describe("jwe refusals", () => {
  it("refuses a JWE without an authenticating inner scheme unless explicitly allowed", async () => {
    expect(() => jwe({ privateKey: rsa.privateJwk })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    const open = jwe({ privateKey: rsa.privateJwk, allowUnauthenticated: true });
    const { body } = await jwe({ publicKey: rsa.publicJwk, allowUnauthenticated: true }).encode(message("plain"));
    const result = await open.verify(incoming(body));
    expect(new TextDecoder().decode(result.payload)).toBe("plain");
    expect(result.timestamp).toBeUndefined();
    expect(open.timestamped).toBe(false);
  });

  it("refuses a plaintext the inner scheme does not authenticate", async () => {
    const forged = await new CompactEncrypt(utf8('{"jti":"x","iat":1}'))
      .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM" })
      .encrypt(rsa.publicKey);
    expect(await codeOf(jwe({ privateKey: rsa.privateJwk, inner: innerReceiver() }).verify(incoming(forged)))).toBe(
      "malformed_body",
    );
  });

  it("refuses a JWE for another key as decryption_failed", async () => {
    const stranger = await testKeyPair("RSA-OAEP-256", "enc-rsa");
    const { body } = await jwe({ publicKey: stranger.publicJwk, inner: innerSender() }).encode(message("{}"));
    expect(await codeOf(jwe({ privateKey: rsa.privateJwk, inner: innerReceiver() }).verify(incoming(body)))).toBe(
      "decryption_failed",
    );
  });

  it("refuses algorithms outside the allowlists, embedded keys, crit, and an unknown kid", async () => {
    const receiver = jwe({ privateKey: rsa.privateJwk, inner: innerReceiver() });
    const encrypt = (header: Record<string, unknown>) =>
      new CompactEncrypt(utf8("x"))
        .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM", ...header })
        .encrypt(rsa.publicKey);
    const rsa1 = `${base64url.encode(JSON.stringify({ alg: "RSA-OAEP", enc: "A256GCM" }))}.a.b.c.d`;
    expect(await codeOf(receiver.verify(incoming(rsa1)))).toBe("algorithm_not_allowed");
    expect(await codeOf(receiver.verify(incoming(await encrypt({ enc: "A128GCM" }))))).toBe("algorithm_not_allowed");
    expect(await codeOf(receiver.verify(incoming(await encrypt({ jku: "https://evil.test/" }))))).toBe("untrusted_key");
    const critHeader = base64url.encode(JSON.stringify({ alg: "RSA-OAEP-256", enc: "A256GCM", crit: ["x"], x: 1 }));
    expect(await codeOf(receiver.verify(incoming(`${critHeader}.a.b.c.d`)))).toBe("unsupported_critical_header");
    expect(await codeOf(receiver.verify(incoming(await encrypt({ kid: "someone-else" }))))).toBe("key_not_found");
    expect(await codeOf(receiver.sign(message("{}")))).toBe("invalid_options");
  });

  it("answers garbage JOSE strings with a WebhookError", async () => {
    const receiver = jwe({ privateKey: rsa.privateJwk, inner: innerReceiver() });
    const segment = fc.oneof(
      fc.base64String(),
      fc.string(),
      fc.json().map((j) => base64url.encode(j)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(segment, { minLength: 0, maxLength: 7 }).map((p) => p.join(".")),
          fc.string(),
        ),
        async (garbage) => {
          expect(await codeOf(receiver.verify(incoming(garbage)))).not.toBe("accepted");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("decrypts with any key of a rotation, picked by kid", async () => {
    const receiver = jwe({
      privateKeys: [
        { key: ec.privateJwk, alg: "ECDH-ES+A256KW" },
        { key: rsa.privateJwk, alg: "RSA-OAEP-256" },
      ],
      inner: innerReceiver(),
    });
    for (const [publicKey, alg] of [
      [ec.publicJwk, "ECDH-ES+A256KW"],
      [rsa.publicJwk, "RSA-OAEP-256"],
    ] as const) {
      const { body } = await jwe({ publicKey, alg, inner: innerSender() }).encode(message("{}"));
      await expect(receiver.verify(incoming(body))).resolves.toMatchObject({ id: "msg_1" });
    }
  });

  it("carries a detached inner JWS in the clear headers while the body is encrypted", async () => {
    const sender = jwe({
      publicKey: rsa.publicJwk,
      inner: jws({ privateKey: signing.privateJwk, alg: "ES256", detached: true }),
    });
    const receiver = jwe({ privateKey: rsa.privateJwk, inner: jws({ jwks, algorithms: ["ES256"], detached: true }) });
    const { headers, body } = await sender.encode(message("raw bytes, not JSON", "d-1"));
    expect(Object.keys(headers).sort()).toEqual(["content-type", "x-jws-signature"]);
    expect(decodeProtectedHeader(body as string).cty).toBeUndefined();
    const result = await receiver.verify(incoming(body, headers));
    expect(new TextDecoder().decode(result.payload)).toBe("raw bytes, not JSON");
    expect(result.id).toBe("d-1");
  });

  it("goes through the verifier with the inner scheme's freshness and replay", async () => {
    const verifier = createVerifier({
      scheme: jwe({ privateKey: ec.privateJwk, alg: "ECDH-ES+A256KW", inner: innerReceiver() }),
    });
    const { body } = await jwe({ publicKey: ec.publicJwk, alg: "ECDH-ES+A256KW", inner: innerSender() }).encode(
      message('{"v":1}', "once"),
    );
    const parts = { method: "POST", url: "https://r.test/", headers: {}, body: utf8(body as string) };
    const first = await verifier.verifyParts(parts);
    expect(first.json()).toMatchObject({ v: 1 });
    await first.complete();
    expect((await verifier.verifyParts(parts)).duplicate).toBe(true);
  });
});
