import fc from "fast-check";
import { base64url, CompactSign, decodeProtectedHeader, type JWK, jwtVerify, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { utf8 } from "../../lib/utf8.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import { jws } from "./jws.js";
import { sameDecodedSegments, type TestKeyPair, testKeyPair } from "./test-support/keys.js";
import { codeOf } from "../../test-support/outcome.js";
import { incomingWebhook } from "../../test-support/fixtures.js";

const incoming = (body: Uint8Array | string, headers: Record<string, string> = {}) => incomingWebhook(headers, body);

const NOW_S = Math.floor(Date.now() / 1000);
const message = (body: string, id = "msg_1") => ({ id, timestamp: new Date(NOW_S * 1000), body });

let es: TestKeyPair;
let ps: TestKeyPair;
let other: TestKeyPair;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  es = await testKeyPair("ES256", "es-1");
  ps = await testKeyPair("PS256", "ps-1");
  other = await testKeyPair("ES256", "es-1"); // same kid, different key
  jwks = { keys: [es.publicJwk, ps.publicJwk] };
});

describe("jws (compact body)", () => {
  it("round-trips: the claims are the payload, jti the id, iat the time, kid the key", async () => {
    const sender = jws({ privateKey: es.privateJwk, alg: "ES256" });
    const receiver = jws({ jwks, algorithms: ["ES256", "PS256"] });
    const { headers, body } = await sender.encode(message('{"type":"invoice.paid","amount":42}'));
    expect(headers["content-type"]).toBe("application/jwt");
    expect(decodeProtectedHeader(body as string)).toEqual({ alg: "ES256", typ: "JWT", kid: "es-1" });
    const result = await receiver.verify(incoming(body));
    expect(result).toMatchObject({ id: "msg_1", keyId: "es-1" });
    expect(result.timestamp?.getTime()).toBe(NOW_S * 1000);
    expect(JSON.parse(new TextDecoder().decode(result.payload))).toEqual({
      type: "invoice.paid",
      amount: 42,
      jti: "msg_1",
      iat: NOW_S,
    });
  });

  it("judges exp and nbf by the verifier's clock, like the freshness window", async () => {
    const token = await new SignJWT({ jti: "evt_exp" })
      .setProtectedHeader({ alg: "ES256", kid: "es-1" })
      .setIssuedAt(NOW_S)
      .setNotBefore(NOW_S)
      .setExpirationTime(NOW_S + 60)
      .sign(es.privateKey);
    const at = (seconds: number) =>
      createVerifier({
        scheme: jws({ jwks, algorithms: ["ES256"] }),
        now: () => seconds * 1000,
        replay: false,
        tolerance: { pastSeconds: 3600 },
      });
    const parts = { method: "POST", url: "https://receiver.test/", headers: {}, body: utf8(token) };
    expect((await at(NOW_S + 30).verifyParts(parts)).id).toBe("evt_exp");
    expect(await codeOf(at(NOW_S + 120).verifyParts(parts))).toBe("timestamp_too_old");
  });

  it("verifies tokens made by jose directly (RSA-PSS), and jose verifies ours", async () => {
    const token = await new SignJWT({ jti: "evt_9", hello: "world" })
      .setProtectedHeader({ alg: "PS256", kid: "ps-1" })
      .setIssuedAt(NOW_S)
      .sign(ps.privateKey);
    await expect(jws({ jwks, algorithms: ["PS256"] }).verify(incoming(token))).resolves.toMatchObject({
      id: "evt_9",
      keyId: "ps-1",
    });
    const { body } = await jws({ privateKey: ps.privateKey, alg: "PS256", kid: "ps-1" }).encode(message('{"a":1}'));
    const { payload } = await jwtVerify(body as string, ps.publicKey, { algorithms: ["PS256"] });
    expect(payload).toMatchObject({ a: 1, jti: "msg_1", iat: NOW_S });
  });

  it("goes through the verifier: freshness from iat, replay on jti", async () => {
    const sender = jws({ privateKey: es.privateJwk, alg: "ES256" });
    const verifier = createVerifier({ scheme: jws({ jwks, algorithms: ["ES256"] }), now: () => NOW_S * 1000 });
    const { body } = await sender.encode(message('{"n":1}', "evt_once"));
    const parts = { method: "POST", url: "https://r.test/", headers: {}, body: utf8(body as string) };
    const first = await verifier.verifyParts(parts);
    expect(first.json()).toMatchObject({ n: 1 });
    await first.complete();
    expect((await verifier.verifyParts(parts)).duplicate).toBe(true);
    const old = await sender.encode({ ...message('{"n":1}', "evt_old"), timestamp: new Date((NOW_S - 3600) * 1000) });
    expect(await codeOf(verifier.verifyParts({ ...parts, body: utf8(old.body as string) }))).toBe("timestamp_too_old");
  });

  it("checks iss and aud", async () => {
    const sender = jws({
      privateKey: es.privateJwk,
      alg: "ES256",
      issuer: "https://sender.test",
      audience: "receiver-1",
    });
    const { body } = await sender.encode(message("{}"));
    await expect(
      jws({ jwks, algorithms: ["ES256"], issuer: "https://sender.test", audience: ["receiver-1", "x"] }).verify(
        incoming(body),
      ),
    ).resolves.toMatchObject({ id: "msg_1", timestamp: new Date(NOW_S * 1000) });
    expect(await codeOf(jws({ jwks, algorithms: ["ES256"], issuer: "https://evil.test" }).verify(incoming(body)))).toBe(
      "claim_mismatch",
    );
    expect(await codeOf(jws({ jwks, algorithms: ["ES256"], audience: "receiver-2" }).verify(incoming(body)))).toBe(
      "claim_mismatch",
    );
  });

  it("requires the configured typ (explicit typing), compact and detached", async () => {
    const typed = await jws({ privateKey: es.privateJwk, alg: "ES256", type: "webhook+jwt" }).encode(message("{}"));
    expect(decodeProtectedHeader(typed.body as string).typ).toBe("webhook+jwt");
    await expect(
      jws({ jwks, algorithms: ["ES256"], type: "webhook+jwt" }).verify(incoming(typed.body)),
    ).resolves.toMatchObject({ id: "msg_1", timestamp: new Date(NOW_S * 1000) });
    const plain = await jws({ privateKey: es.privateJwk, alg: "ES256" }).encode(message("{}"));
    expect(await codeOf(jws({ jwks, algorithms: ["ES256"], type: "webhook+jwt" }).verify(incoming(plain.body)))).toBe(
      "claim_mismatch",
    );
    const detached = await jws({ privateKey: es.privateJwk, alg: "ES256", detached: true }).sign(message("x"));
    expect(
      await codeOf(
        jws({ jwks, algorithms: ["ES256"], detached: true, type: "webhook+jws" }).verify(incoming("x", detached)),
      ),
    ).toBe("claim_mismatch");
  });

  it("refuses expired tokens, and tokens without jti or iat", async () => {
    const receiver = jws({ jwks, algorithms: ["ES256"] });
    const expired = await new SignJWT({ jti: "a" })
      .setProtectedHeader({ alg: "ES256", kid: "es-1" })
      .setIssuedAt(NOW_S - 100)
      .setExpirationTime(NOW_S - 50)
      .sign(es.privateKey);
    expect(await codeOf(receiver.verify(incoming(expired)))).toBe("timestamp_too_old");
    const noJti = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "es-1" })
      .setIssuedAt(NOW_S)
      .sign(es.privateKey);
    expect(await codeOf(receiver.verify(incoming(noJti)))).toBe("malformed_body");
    const noIat = await new SignJWT({ jti: "a" }).setProtectedHeader({ alg: "ES256", kid: "es-1" }).sign(es.privateKey);
    expect(await codeOf(receiver.verify(incoming(noIat)))).toBe("malformed_body");
  });

  it("refuses sign() in the compact form and a body that is not a JSON object", async () => {
    const sender = jws({ privateKey: es.privateJwk, alg: "ES256" });
    expect(await codeOf(sender.sign(message("{}")))).toBe("invalid_options");
    expect(await codeOf(sender.encode(message("[1,2]")))).toBe("invalid_options");
    expect(await codeOf(sender.encode(message("not json")))).toBe("invalid_options");
    expect(await codeOf(sender.verify(incoming("x.y.z")))).toBe("invalid_options");
  });

  it("refuses a token from another key with the same kid", async () => {
    const token = await new SignJWT({ jti: "a" })
      .setProtectedHeader({ alg: "ES256", kid: "es-1" })
      .setIssuedAt(NOW_S)
      .sign(other.privateKey);
    expect(await codeOf(jws({ jwks, algorithms: ["ES256"] }).verify(incoming(token)))).toBe("invalid_signature");
  });

  it("rejects any change to the token", async () => {
    const { body } = await jws({ privateKey: es.privateJwk, alg: "ES256" }).encode(message('{"x":"y"}'));
    const token = body as string;
    const receiver = jws({ jwks, algorithms: ["ES256"] });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 63 }), async (position, shift) => {
        const index = position % token.length;
        const current = token.charAt(index);
        if (current === ".") return;
        const replacement = alphabet.charAt((alphabet.indexOf(current) + shift) % 64);
        const mutated = token.slice(0, index) + replacement + token.slice(index + 1);
        if (sameDecodedSegments(token, mutated)) return;
        const code = await codeOf(receiver.verify(incoming(mutated)));
        expect([
          "invalid_signature",
          "malformed_body",
          "algorithm_not_allowed",
          "key_not_found",
          "untrusted_key",
          "unsupported_critical_header",
        ]).toContain(code);
      }),
      { numRuns: 150 },
    );
  });

  it("answers garbage JOSE strings with a WebhookError", async () => {
    const receiver = jws({ jwks, algorithms: ["ES256"] });
    const segment = fc.oneof(
      fc.base64String().map((s) => s.replaceAll("+", "-").replaceAll("/", "_")),
      fc.string(),
      fc.json().map((j) => base64url.encode(j)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(segment, { maxLength: 6 }).map((parts) => parts.join(".")),
          fc.string(),
          fc.uint8Array().map((b) => new TextDecoder().decode(b)),
        ),
        async (garbage) => {
          const code = await codeOf(receiver.verify(incoming(garbage)));
          expect(code).not.toBe("accepted");
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("jws refusals, each with its own code", () => {
  const receiver = () => jws({ jwks, algorithms: ["ES256"] });
  const headerOnly = (header: Record<string, unknown>, payload: Record<string, unknown> = { jti: "a", iat: NOW_S }) =>
    `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.${base64url.encode("sig")}`;

  it("alg none", async () => {
    const unsecured = `${base64url.encode('{"alg":"none"}')}.${base64url.encode(JSON.stringify({ jti: "a", iat: NOW_S }))}.`;
    expect(await codeOf(receiver().verify(incoming(unsecured)))).toBe("algorithm_not_allowed");
    expect(await codeOf(receiver().verify(incoming(headerOnly({ alg: "NONE", kid: "es-1" }))))).toBe(
      "algorithm_not_allowed",
    );
  });

  it("HMAC with the public key as the secret (key confusion)", async () => {
    // The classic attack: sign HS256 with the bytes of the public key the receiver holds.
    const secret = utf8(JSON.stringify(es.publicJwk));
    const forged = await new SignJWT({ jti: "a" })
      .setProtectedHeader({ alg: "HS256", kid: "es-1" })
      .setIssuedAt(NOW_S)
      .sign(secret);
    expect(await codeOf(receiver().verify(incoming(forged)))).toBe("algorithm_not_allowed");
    expect(() => jws({ jwks, algorithms: ["HS256" as "ES256"] })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });

  it("an algorithm outside the allowlist", async () => {
    const token = await new SignJWT({ jti: "a" })
      .setProtectedHeader({ alg: "PS256", kid: "ps-1" })
      .setIssuedAt(NOW_S)
      .sign(ps.privateKey);
    expect(await codeOf(receiver().verify(incoming(token)))).toBe("algorithm_not_allowed");
  });

  it.each(["jwk", "jku", "x5u", "x5c"])("a key carried by the message (%s)", async (parameter) => {
    const value = parameter === "jwk" ? other.publicJwk : parameter === "x5c" ? ["MIIB"] : "https://evil.test/keys";
    const token = await new SignJWT({ jti: "a" })
      .setProtectedHeader({ alg: "ES256", kid: "es-1", [parameter]: value })
      .setIssuedAt(NOW_S)
      .sign(other.privateKey);
    expect(await codeOf(receiver().verify(incoming(token)))).toBe("untrusted_key");
  });

  it("an unknown crit header", async () => {
    const token = await new CompactSign(utf8(JSON.stringify({ jti: "a", iat: NOW_S })))
      .setProtectedHeader({ alg: "ES256", kid: "es-1", crit: ["exp-ext"], "exp-ext": true })
      .sign(es.privateKey)
      .catch(() => headerOnly({ alg: "ES256", kid: "es-1", crit: ["exp-ext"], "exp-ext": true }));
    expect(await codeOf(receiver().verify(incoming(token)))).toBe("unsupported_critical_header");
  });

  it("a kid not in the set", async () => {
    const token = await new SignJWT({ jti: "a" })
      .setProtectedHeader({ alg: "ES256", kid: "unknown" })
      .setIssuedAt(NOW_S)
      .sign(es.privateKey);
    expect(await codeOf(receiver().verify(incoming(token)))).toBe("key_not_found");
  });

  it("a missing allowlist and a missing key when built", () => {
    expect(() => jws({ jwks })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(() => jws({ jwks, algorithms: [] })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(() => jws({})).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(() => jws({ privateKey: es.privateJwk })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(() => jws({ privateKey: es.privateJwk, alg: "ES256", detached: { header: "bad header" } })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => jws({ jwks: "http://example.test/jwks.json", algorithms: ["ES256"] })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => jws({ jwks: { keys: "nope" } as unknown as { keys: JWK[] }, algorithms: ["ES256"] })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });
});

describe("jws (detached, body unchanged)", () => {
  const sender = () => jws({ privateKey: es.privateJwk, alg: "ES256", detached: true, issuer: "s" });
  const receiver = () => jws({ jwks, algorithms: ["ES256"], detached: true, issuer: "s" });

  it("round-trips arbitrary bytes; sign() and encode() agree", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (body) => {
        const headers = await sender().sign({ id: "msg_d", timestamp: new Date(NOW_S * 1000), body });
        expect(headers["x-jws-signature"]).toMatch(/^[\w-]+\.\.[\w-]+$/);
        const result = await receiver().verify(incoming(body, headers));
        expect(result).toMatchObject({ id: "msg_d", keyId: "es-1" });
        expect(result.timestamp?.getTime()).toBe(NOW_S * 1000);
        expect(result.payload).toBeUndefined();
      }),
      { numRuns: 40 },
    );
    const encoded = await sender().encode(message("{}"));
    expect(encoded.body).toBe("{}");
  });

  it("rejects a changed body, a missing header, a different issuer and a custom header name", async () => {
    const headers = await sender().sign(message('{"a":1}'));
    expect(await codeOf(receiver().verify(incoming('{"a":2}', headers)))).toBe("invalid_signature");
    expect(await codeOf(receiver().verify(incoming('{"a":1}')))).toBe("missing_header");
    expect(await codeOf(receiver().verify(incoming('{"a":1}', { "x-jws-signature": "abc" })))).toBe("malformed_header");
    expect(
      await codeOf(
        jws({ jwks, algorithms: ["ES256"], detached: true, issuer: "t" }).verify(incoming('{"a":1}', headers)),
      ),
    ).toBe("claim_mismatch");
    const custom = jws({ privateKey: es.privateJwk, alg: "ES256", detached: { header: "X-Signature" } });
    const signed = await custom.sign(message("x"));
    expect(Object.keys(signed)).toEqual(["x-signature"]);
    await expect(
      jws({ jwks, algorithms: ["ES256"], detached: { header: "x-signature" } }).verify(incoming("x", signed)),
    ).resolves.toMatchObject({ timestamp: expect.any(Date) });
  });

  it("answers garbage header values with a WebhookError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.tuple(fc.base64String(), fc.base64String()).map(([a, b]) => `${a}..${b}`),
        ),
        async (value) => {
          expect(await codeOf(receiver().verify(incoming("{}", { "x-jws-signature": value })))).not.toBe("accepted");
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("jws with a remote JWKS", () => {
  function jwksServer(keys: () => JWK[], status = () => 200) {
    let calls = 0;
    const fetch = async () => {
      calls++;
      return new Response(JSON.stringify({ keys: keys() }), {
        status: status(),
        headers: { "content-type": "application/json" },
      });
    };
    return { fetch, calls: () => calls };
  }

  it("caches the set, refetches on an unknown kid, and rate-limits refetches", async () => {
    const rotated = await testKeyPair("ES256", "es-2");
    let published: JWK[] = [es.publicJwk];
    const server = jwksServer(() => published);
    const receiver = jws({
      jwks: "https://sender.test/.well-known/jwks.json",
      algorithms: ["ES256"],
      remote: { fetch: server.fetch, cooldownSeconds: 0.2 },
    });
    const sign = (key: TestKeyPair, id: string) =>
      jws({ privateKey: key.privateJwk, alg: "ES256" }).encode(message("{}", id));

    await receiver.verify(incoming((await sign(es, "1")).body));
    await receiver.verify(incoming((await sign(es, "2")).body));
    expect(server.calls()).toBe(1);

    // the sender rotates: an unknown kid refetches once the cooldown has passed
    published = [es.publicJwk, rotated.publicJwk];
    const fromRotated = (await sign(rotated, "3")).body;
    expect(await codeOf(receiver.verify(incoming(fromRotated)))).toBe("key_not_found"); // still cooling down
    expect(server.calls()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(receiver.verify(incoming(fromRotated))).resolves.toMatchObject({ keyId: "es-2" });
    expect(server.calls()).toBe(2);

    // a flood of unknown kids costs at most one fetch per cooldown
    const forged = await new SignJWT({ jti: "x" })
      .setProtectedHeader({ alg: "ES256", kid: "nope" })
      .setIssuedAt(NOW_S)
      .sign(es.privateKey);
    for (let i = 0; i < 20; i++) expect(await codeOf(receiver.verify(incoming(forged)))).toBe("key_not_found");
    expect(server.calls()).toBeLessThanOrEqual(3);
  });

  it("fails closed with key_set_unavailable, and does not refetch on every request after a failure", async () => {
    const server = jwksServer(
      () => [es.publicJwk],
      () => 500,
    );
    const receiver = jws({
      jwks: new URL("https://sender.test/jwks"),
      algorithms: ["ES256"],
      remote: { fetch: server.fetch, cooldownSeconds: 60 },
    });
    const { body } = await jws({ privateKey: es.privateJwk, alg: "ES256" }).encode(message("{}"));
    for (let i = 0; i < 5; i++) expect(await codeOf(receiver.verify(incoming(body)))).toBe("key_set_unavailable");
    expect(server.calls()).toBe(1);
    const throwing = jws({
      jwks: "https://sender.test/jwks",
      algorithms: ["ES256"],
      remote: {
        fetch: async () => {
          throw new TypeError("network down");
        },
      },
    });
    expect(await codeOf(throwing.verify(incoming(body)))).toBe("key_set_unavailable");
  });
});
