import fc from "fast-check";
import { describe, expect, it } from "vitest";
import vectors from "../../test-support/vectors/standard-webhooks.json" with { type: "json" };
import { encodeBase64 } from "../../lib/base64.js";
import { testSecret, incomingWebhook } from "../../test-support/fixtures.js";
import { standardWebhooks } from "./standard-webhooks.js";
import { codeOf } from "../../test-support/outcome.js";
import { cryptoBackend } from "#crypto";
import { vi } from "vitest";
import { MAX_ASYMMETRIC_SIGNATURES } from "../signature/define-signature-scheme.js";

const { v1, v1a } = vectors;

const incoming = incomingWebhook;

/** A fresh Ed25519 pair as whsk_ (seed then public key, as the Standard Webhooks libraries write it) and whpk_. */
async function ed25519Pair(): Promise<{ privateKey: string; publicKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const fromUrl = (text: string) =>
    Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
  const seed = fromUrl(jwk.d as string);
  const publicBytes = fromUrl(jwk.x as string);
  const both = new Uint8Array(64);
  both.set(seed);
  both.set(publicBytes, 32);
  return { privateKey: `whsk_${encodeBase64(both)}`, publicKey: `whpk_${encodeBase64(publicBytes)}` };
}

const vectorMessage = { id: v1a.id, timestamp: new Date(v1a.timestamp * 1000), body: v1a.body };
const vectorHeaders = {
  "webhook-id": v1a.id,
  "webhook-timestamp": String(v1a.timestamp),
  "webhook-signature": v1a.signature,
};

describe("standardWebhooks v1a (Ed25519)", () => {
  it("signs the reference vector byte for byte with the whsk_ key", async () => {
    const headers = await standardWebhooks({ privateKey: v1a.secretKey }).sign(vectorMessage);
    expect(headers).toEqual(vectorHeaders);
  });

  it("verifies the reference vector with the whpk_ key and names the key", async () => {
    const result = await standardWebhooks({ publicKey: v1a.publicKey }).verify(incoming(vectorHeaders, v1a.body));
    expect(result.id).toBe(v1a.id);
    expect(result.timestamp?.getTime()).toBe(v1a.timestamp * 1000);
    expect(result.keyId).toMatch(/^ed25519:[0-9a-f]{12}$/);
    const named = await standardWebhooks({ publicKey: { id: "partner-2026", secret: v1a.publicKey } }).verify(
      incoming(vectorHeaders, v1a.body),
    );
    expect(named.keyId).toBe("partner-2026");
  });

  it("accepts whsk_/whpk_ keys inside `secrets` and a bare seed as privateKey", async () => {
    const seedOnly = `whsk_${encodeBase64(
      Uint8Array.from(atob(v1a.secretKey.slice(5)), (c) => c.charCodeAt(0)).subarray(0, 32),
    )}`;
    expect(await standardWebhooks({ secret: seedOnly }).sign(vectorMessage)).toEqual(vectorHeaders);
    await expect(
      standardWebhooks({ secrets: [v1a.publicKey] }).verify(incoming(vectorHeaders, v1a.body)),
    ).resolves.toMatchObject({
      id: v1a.id,
    });
  });

  it("refuses to sign with public keys only", async () => {
    expect(await codeOf(standardWebhooks({ publicKey: v1a.publicKey }).sign(vectorMessage))).toBe("invalid_options");
  });

  it("refuses malformed keys when built and a whsk_ whose public half is not its own", async () => {
    expect(() => standardWebhooks({ publicKey: "whpk_AAAA" })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => standardWebhooks({ privateKey: "whsk_not base64" })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    const { publicKey: otherPublic } = await ed25519Pair();
    const bytes = Uint8Array.from(atob(v1a.secretKey.slice(5)), (c) => c.charCodeAt(0));
    bytes.set(
      Uint8Array.from(atob(otherPublic.slice(5)), (c) => c.charCodeAt(0)),
      32,
    );
    const mismatched = standardWebhooks({ privateKey: `whsk_${encodeBase64(bytes)}` });
    expect(await codeOf(mismatched.sign(vectorMessage))).toBe("invalid_options");
  });

  it("refuses a v1a signature from another key and a v1 signature when only v1a keys are configured", async () => {
    const other = await ed25519Pair();
    expect(
      await codeOf(standardWebhooks({ publicKey: other.publicKey }).verify(incoming(vectorHeaders, v1a.body))),
    ).toBe("invalid_signature");
    const v1Headers = {
      "webhook-id": v1.id,
      "webhook-timestamp": String(v1.timestamp),
      "webhook-signature": v1.signature,
    };
    expect(await codeOf(standardWebhooks({ publicKey: v1a.publicKey }).verify(incoming(v1Headers, v1.body)))).toBe(
      "invalid_signature",
    );
  });

  describe("a keyring mixing v1 and v1a during a migration", () => {
    it("verifies either kind and signs one entry of each", async () => {
      const secret = testSecret();
      const pair = await ed25519Pair();
      const migrating = standardWebhooks({ privateKey: pair.privateKey, secrets: [{ id: "hmac", secret }] });
      const message = { id: "msg_mig", timestamp: new Date(1_700_000_000_000), body: '{"a":1}' };
      const signed = await migrating.sign(message);
      expect(signed["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+ v1a,[A-Za-z0-9+/=]+$/);
      // an old v1-only receiver and a new v1a-only receiver both accept the same delivery
      await expect(standardWebhooks({ secret }).verify(incoming(signed, message.body))).resolves.toMatchObject({
        id: "msg_mig",
      });
      await expect(
        standardWebhooks({ publicKey: pair.publicKey }).verify(incoming(signed, message.body)),
      ).resolves.toMatchObject({
        id: "msg_mig",
      });
      // a receiver holding both accepts a v1-only sender and a v1a-only sender
      const receiver = standardWebhooks({
        secrets: [
          { id: "hmac", secret },
          { id: "ed", secret: pair.publicKey },
        ],
      });
      const fromV1 = await receiver.verify(incoming(await standardWebhooks({ secret }).sign(message), message.body));
      expect(fromV1.keyId).toBe("hmac");
      const fromV1a = await receiver.verify(
        incoming(await standardWebhooks({ privateKey: pair.privateKey }).sign(message), message.body),
      );
      expect(fromV1a.keyId).toBe("ed");
    });
  });

  it("looks up per-tenant keys of either kind, caching the imported keys", async () => {
    const pair = await ed25519Pair();
    const secret = testSecret();
    const keys: Record<string, string[]> = { ed: [pair.publicKey], hmac: [secret], both: [secret, v1a.publicKey] };
    let lookups = 0;
    const receiver = standardWebhooks({
      secrets: ({ tenant }) => {
        lookups++;
        return tenant === undefined ? undefined : keys[tenant];
      },
    });
    const message = { id: "msg_t", timestamp: new Date(1_700_000_000_000), body: "{}" };
    const fromEd = await standardWebhooks({ privateKey: pair.privateKey }).sign(message);
    const fromHmac = await standardWebhooks({ secret }).sign(message);
    const asTenant = (headers: Record<string, string>, tenant: string | undefined, body = "{}") => ({
      ...incoming(headers, body),
      tenant,
    });
    await expect(receiver.verify(asTenant(fromEd, "ed"))).resolves.toMatchObject({ id: "msg_t" });
    await expect(receiver.verify(asTenant(fromEd, "ed"))).resolves.toMatchObject({ id: "msg_t" });
    await expect(receiver.verify(asTenant(fromHmac, "hmac"))).resolves.toMatchObject({ id: "msg_t" });
    await expect(receiver.verify(asTenant(vectorHeaders, "both", v1a.body))).resolves.toMatchObject({ id: v1a.id });
    expect(await codeOf(receiver.verify(asTenant(fromEd, "hmac")))).toBe("invalid_signature");
    expect(await codeOf(receiver.verify(asTenant(fromEd, "nobody")))).toBe("invalid_signature");
    expect(await codeOf(receiver.verify(asTenant(fromEd, undefined)))).toBe("invalid_signature");
    expect(lookups).toBe(7);
    // a tenant's private key signs for that tenant
    keys.signer = [pair.privateKey];
    const signed = await receiver.sign({ ...message, tenant: "signer" });
    await expect(receiver.verify(asTenant(signed, "ed"))).resolves.toMatchObject({ id: "msg_t" });
    expect(await codeOf(receiver.sign({ ...message, tenant: "ed" }))).toBe("invalid_options");
  });

  it("refuses an empty set of Ed25519 keys and a lookup that fails", async () => {
    expect(() => standardWebhooks({ publicKeys: [] })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    const failing = standardWebhooks({
      secrets: () => {
        throw new Error("database down");
      },
    });
    expect(await codeOf(failing.verify(incoming(vectorHeaders, v1a.body)))).toBe("invalid_options");
  });

  it("round-trips arbitrary bodies and rejects any single-byte change of body or signature", async () => {
    const pair = await ed25519Pair();
    const signer = standardWebhooks({ privateKey: pair.privateKey });
    const receiver = standardWebhooks({ publicKey: pair.publicKey });
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (body, position, flip, inSignature) => {
          const headers = await signer.sign({ id: "msg_p", timestamp: new Date(1_700_000_000_000), body });
          await expect(receiver.verify(incoming(headers, body))).resolves.toMatchObject({ id: "msg_p" });
          let mutatedBody = body;
          const mutated = { ...headers };
          if (inSignature) {
            const raw = Uint8Array.from(atob((headers["webhook-signature"] as string).slice(4)), (c) =>
              c.charCodeAt(0),
            );
            raw[position % 64] = (raw[position % 64] as number) ^ flip;
            mutated["webhook-signature"] = `v1a,${encodeBase64(raw)}`;
          } else {
            mutatedBody = body.slice();
            mutatedBody[position % body.length] = (mutatedBody[position % body.length] as number) ^ flip;
          }
          expect(await codeOf(receiver.verify(incoming(mutated, mutatedBody)))).toBe("invalid_signature");
        },
      ),
      { numRuns: 100 },
    );
  });

  it("answers garbage v1a entries with a WebhookError", async () => {
    const receiver = standardWebhooks({ publicKey: v1a.publicKey });
    const entry = fc.oneof(
      fc.string(),
      fc.base64String().map((text) => `v1a,${text}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 8 }), async (entries) => {
        const headers = { ...vectorHeaders, "webhook-signature": entries.join(" ") };
        expect(["missing_header", "malformed_header", "invalid_signature"]).toContain(
          await codeOf(receiver.verify(incoming(headers, "{}"))),
        );
      }),
      { numRuns: 300 },
    );
  });

  describe("bounded work per request", () => {
    const body = new Uint8Array(4096).fill(7);
    const bogus = (count: number) =>
      Array.from({ length: count }, (_, i) => `v1a,${encodeBase64(new Uint8Array(64).fill(i + 1))}`);

    it(`refuses more than ${MAX_ASYMMETRIC_SIGNATURES} v1a signatures with malformed_header before any verification`, async () => {
      const keys = await Promise.all([ed25519Pair(), ed25519Pair(), ed25519Pair()]);
      const receiver = standardWebhooks({ publicKeys: keys.map((k) => k.publicKey) });
      const signed = await standardWebhooks({ privateKey: keys[2]?.privateKey ?? "" }).sign({
        id: "msg_b",
        timestamp: new Date(1_700_000_000_000),
        body,
      });
      const verify = vi.spyOn(cryptoBackend, "asymmetricVerify");
      try {
        // Even with the genuine signature among them: a header may not ask for more work.
        const headers = {
          ...signed,
          "webhook-signature": [...bogus(MAX_ASYMMETRIC_SIGNATURES), signed["webhook-signature"]].join(" "),
        };
        expect(await codeOf(receiver.verify(incoming(headers, body)))).toBe("malformed_header");
        expect(
          await codeOf(receiver.verify(incoming({ ...signed, "webhook-signature": bogus(32).join(" ") }, body))),
        ).toBe("malformed_header");
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
    });

    it("tries each key against at most the capped signatures, on one joined message (property)", async () => {
      const keys = await Promise.all([ed25519Pair(), ed25519Pair(), ed25519Pair()]);
      const receiver = standardWebhooks({ publicKeys: keys.map((k) => k.publicKey) });
      const signed = await standardWebhooks({ privateKey: keys[0]?.privateKey ?? "" }).sign({
        id: "msg_b",
        timestamp: new Date(1_700_000_000_000),
        body,
      });
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 40 }), async (count) => {
          const verify = vi.spyOn(cryptoBackend, "asymmetricVerify");
          try {
            const code = await codeOf(
              receiver.verify(incoming({ ...signed, "webhook-signature": bogus(count).join(" ") }, body)),
            );
            expect(code).toBe(count > MAX_ASYMMETRIC_SIGNATURES ? "malformed_header" : "invalid_signature");
            expect(verify.mock.calls.length).toBeLessThanOrEqual(keys.length * MAX_ASYMMETRIC_SIGNATURES);
            // The same single part every time: the message is not copied per try.
            const messages = new Set(verify.mock.calls.map(([, , parts]) => parts[0]));
            expect(messages.size).toBeLessThanOrEqual(1);
            for (const [, , parts] of verify.mock.calls) expect(parts).toHaveLength(1);
          } finally {
            verify.mockRestore();
          }
        }),
        { numRuns: 40 },
      );
    });

    it("still verifies during a rotation: any of several receiver keys, and a sender signing with its old and new key", async () => {
      const [oldest, old, current] = await Promise.all([ed25519Pair(), ed25519Pair(), ed25519Pair()]);
      if (oldest === undefined || old === undefined || current === undefined) throw new Error("no keys");
      const receiver = standardWebhooks({ publicKeys: [current.publicKey, old.publicKey, oldest.publicKey] });
      const message = { id: "msg_r", timestamp: new Date(1_700_000_000_000), body };
      for (const pair of [oldest, old, current]) {
        const headers = await standardWebhooks({ privateKey: pair.privateKey }).sign(message);
        await expect(receiver.verify(incoming(headers, body))).resolves.toMatchObject({ id: "msg_r" });
      }
      // The sender rotates: two v1a entries (new first), and the receiver knows only the old key yet.
      const signOld = await standardWebhooks({ privateKey: old.privateKey }).sign(message);
      const signNew = await standardWebhooks({ privateKey: current.privateKey }).sign(message);
      const both = {
        ...signNew,
        "webhook-signature": `${signNew["webhook-signature"]} ${signOld["webhook-signature"]}`,
      };
      await expect(standardWebhooks({ publicKey: old.publicKey }).verify(incoming(both, body))).resolves.toMatchObject({
        id: "msg_r",
      });
      // v1 entries beside them do not count towards the v1a cap.
      const mixed = {
        ...both,
        "webhook-signature": `${both["webhook-signature"]} v1,${encodeBase64(new Uint8Array(32))}`,
      };
      await expect(receiver.verify(incoming(mixed, body))).resolves.toMatchObject({ id: "msg_r" });
    });
  });
});
