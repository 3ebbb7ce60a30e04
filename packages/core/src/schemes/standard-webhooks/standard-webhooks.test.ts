import fc from "fast-check";
import { describe, expect, it } from "vitest";
import vectors from "../../test-support/vectors/standard-webhooks.json" with { type: "json" };
import { testSecret, incomingWebhook } from "../../test-support/fixtures.js";
import type { WebhookScheme } from "../types.js";
import { standardWebhooks } from "./standard-webhooks.js";
import { svix } from "./svix.js";
import { codeOf } from "../../test-support/outcome.js";

const v1 = vectors.v1;

const incoming = incomingWebhook;

const messageId = fc.stringMatching(/^[\x21-\x2d\x2f-\x7e]{1,40}$/);
const unixSeconds = fc.integer({ min: 0, max: 4_000_000_000 });

describe("standardWebhooks", () => {
  it("signs the specification vector byte for byte", async () => {
    const headers = await standardWebhooks({ secret: v1.secret }).sign({
      id: v1.id,
      timestamp: new Date(v1.timestamp * 1000),
      body: v1.body,
    });
    expect(headers).toEqual({
      "webhook-id": v1.id,
      "webhook-timestamp": String(v1.timestamp),
      "webhook-signature": v1.signature,
    });
  });

  it("verifies the specification vector and says which key matched", async () => {
    const scheme = standardWebhooks({ secrets: [testSecret(), { id: "legacy", secret: v1.secret }] });
    const result = await scheme.verify(
      incoming(
        { "webhook-id": v1.id, "webhook-timestamp": String(v1.timestamp), "webhook-signature": v1.signature },
        v1.body,
      ),
    );
    expect(result).toMatchObject({ id: v1.id, keyId: "legacy" });
    expect(result.timestamp?.getTime()).toBe(v1.timestamp * 1000);
  });

  it("round-trips arbitrary bytes, ids and times, including bodies that are not UTF-8", async () => {
    const scheme = standardWebhooks({ secret: testSecret() });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), messageId, unixSeconds, async (body, id, seconds) => {
        const headers = await scheme.sign({ id, timestamp: new Date(seconds * 1000), body });
        const result = await scheme.verify(incoming(headers, body));
        expect(result.id).toBe(id);
        expect(result.timestamp?.getTime()).toBe(seconds * 1000);
      }),
      { numRuns: 200 },
    );
  });

  it("rejects any single-byte change to body, id, timestamp or signature", async () => {
    const scheme = standardWebhooks({ secret: testSecret() });
    const field = fc.constantFrom("body", "webhook-id", "webhook-timestamp", "webhook-signature");
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        messageId,
        unixSeconds,
        field,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (body, id, seconds, target, position, flip) => {
          const headers = await scheme.sign({ id, timestamp: new Date(seconds * 1000), body });
          let mutatedBody = body;
          const mutatedHeaders = { ...headers };
          if (target === "body") {
            mutatedBody = body.slice();
            const index = position % body.length;
            mutatedBody[index] = (mutatedBody[index] as number) ^ flip;
          } else {
            const value = headers[target] as string;
            // Keep the change inside the field's own alphabet so it tests the MAC, not the parser.
            const start = target === "webhook-signature" ? 3 : 0;
            const index = start + (position % (value.length - start));
            const alphabet =
              target === "webhook-timestamp"
                ? "0123456789"
                : target === "webhook-signature"
                  ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                  : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
            const current = value.charAt(index);
            if (current === "=") return; // padding cannot change without breaking the encoding
            const replacement = alphabet.charAt(
              (alphabet.indexOf(current) + 1 + (flip % (alphabet.length - 1))) % alphabet.length,
            );
            mutatedHeaders[target] = value.slice(0, index) + replacement + value.slice(index + 1);
          }
          const code = await codeOf(scheme.verify(incoming(mutatedHeaders, mutatedBody)));
          expect(["invalid_signature", "malformed_header"]).toContain(code);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers arbitrary header values with a WebhookError, never another exception", async () => {
    const scheme = standardWebhooks({ secret: testSecret() });
    const headerValue = fc.oneof(fc.string(), fc.stringMatching(/^[ -~]{0,80}$/), fc.constant(""));
    await fc.assert(
      fc.asyncProperty(
        fc.option(headerValue, { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        fc.uint8Array({ maxLength: 64 }),
        async (id, timestamp, signature, body) => {
          const headers: Record<string, string> = {};
          if (id !== undefined) headers["webhook-id"] = id;
          if (timestamp !== undefined) headers["webhook-timestamp"] = timestamp;
          if (signature !== undefined) headers["webhook-signature"] = signature;
          const code = await codeOf(scheme.verify(incoming(headers, body)));
          expect(["missing_header", "malformed_header", "invalid_signature"]).toContain(code);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("answers garbage signature lists with a WebhookError", async () => {
    const scheme = standardWebhooks({ secret: testSecret() });
    const entry = fc.oneof(
      fc.string(),
      fc.tuple(fc.stringMatching(/^v[0-9a-z]{0,3}$/), fc.base64String()).map(([v, s]) => `${v},${s}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 40 }), async (entries) => {
        const headers = {
          "webhook-id": "msg_1",
          "webhook-timestamp": "1700000000",
          "webhook-signature": entries.join(" "),
        };
        const code = await codeOf(scheme.verify(incoming(headers, "{}")));
        expect(["missing_header", "malformed_header", "invalid_signature"]).toContain(code);
      }),
      { numRuns: 500 },
    );
  });

  describe("key rotation", () => {
    it("signs with the first secret and verifies with any", async () => {
      const [newest, older] = [testSecret(), testSecret()];
      const rotating = standardWebhooks({
        secrets: [
          { id: "new", secret: newest },
          { id: "old", secret: older },
        ],
      });
      const oldSender = standardWebhooks({ secret: older });
      const message = { id: "msg_1", timestamp: new Date(1_700_000_000_000), body: "{}" };

      const fromOld = await rotating.verify(incoming(await oldSender.sign(message), "{}"));
      expect(fromOld.keyId).toBe("old");
      const signed = await rotating.sign(message);
      expect(signed).toEqual(await standardWebhooks({ secret: newest }).sign(message));
      await expect(oldSender.verify(incoming(signed, "{}"))).rejects.toMatchObject({ code: "invalid_signature" });
    });

    it("accepts a header with several signatures when any one matches, skipping other versions", async () => {
      const secret = testSecret();
      const scheme = standardWebhooks({ secret });
      const headers = await scheme.sign({ id: "msg_2", timestamp: new Date(1_700_000_000_000), body: "x" });
      const other = (
        await standardWebhooks({ secret: testSecret() }).sign({
          id: "msg_2",
          timestamp: new Date(1_700_000_000_000),
          body: "x",
        })
      )["webhook-signature"];
      headers["webhook-signature"] = `${other} v1a,${"A".repeat(86)}== ${headers["webhook-signature"]}`;
      await expect(scheme.verify(incoming(headers, "x"))).resolves.toMatchObject({ id: "msg_2" });
    });

    it("gives each key a stable fingerprint id when none is set", async () => {
      const secret = testSecret();
      const headers = await standardWebhooks({ secret }).sign({ id: "m", timestamp: new Date(0), body: "" });
      const a = await standardWebhooks({ secret }).verify(incoming(headers, ""));
      const b = await standardWebhooks({ secrets: [testSecret(), secret] }).verify(incoming(headers, ""));
      expect(a.keyId).toMatch(/^sha256:[0-9a-f]{12}$/);
      expect(b.keyId).toBe(a.keyId);
    });
  });

  describe("strict parsing", () => {
    const secret = testSecret();
    const scheme = standardWebhooks({ secret });
    const base = () => scheme.sign({ id: "msg_3", timestamp: new Date(1_700_000_000_000), body: "{}" });

    it.each([
      ["webhook-id", "missing_header"],
      ["webhook-timestamp", "missing_header"],
      ["webhook-signature", "missing_header"],
    ])("refuses a request without %s (%s)", async (name, code) => {
      const headers = await base();
      delete headers[name];
      expect(await codeOf(scheme.verify(incoming(headers, "{}")))).toBe(code);
    });

    it.each([
      "+1700000000",
      "1700000000.0",
      "1.7e9",
      " 1700000000",
      "0x6553f100",
      "１７００",
      "-1",
      "99999999999999999999",
    ])("refuses the timestamp %j as malformed", async (timestamp) => {
      const headers = { ...(await base()), "webhook-timestamp": timestamp };
      expect(await codeOf(scheme.verify(incoming(headers, "{}")))).toBe("malformed_header");
    });

    it.each(["v1", "v1,", ",abc", "v1,not base64!", "v1,YWJj=", "v1 ,YWJj", "v1,YWJj  v1,YWJj", "V1,YWJj"])(
      "refuses the signature entry %j as malformed",
      async (signature) => {
        const headers = { ...(await base()), "webhook-signature": signature };
        expect(await codeOf(scheme.verify(incoming(headers, "{}")))).toBe("malformed_header");
      },
    );

    it("refuses a header with only signatures of other versions as an invalid signature", async () => {
      const headers = { ...(await base()), "webhook-signature": "v2,YWJj" };
      expect(await codeOf(scheme.verify(incoming(headers, "{}")))).toBe("invalid_signature");
    });

    it("refuses more than 32 signatures before computing anything", async () => {
      const headers = await base();
      headers["webhook-signature"] = Array.from({ length: 33 }, () => headers["webhook-signature"]).join(" ");
      expect(await codeOf(scheme.verify(incoming(headers, "{}")))).toBe("malformed_header");
    });

    it("refuses ids with a dot, which would make id, timestamp and body ambiguous", async () => {
      const headers = { ...(await base()), "webhook-id": "msg.3" };
      expect(await codeOf(scheme.verify(incoming(headers, "{}")))).toBe("malformed_header");
      await expect(scheme.sign({ id: "a.b", timestamp: new Date(0), body: "" })).rejects.toMatchObject({
        code: "invalid_options",
      });
    });

    it("refuses a secret that is not whsec_ base64 when built", () => {
      expect(() => standardWebhooks({ secret: "whsec_not base64!" })).toThrow(
        expect.objectContaining({ code: "invalid_options" }),
      );
      expect(() => standardWebhooks({ secrets: [] })).toThrow(expect.objectContaining({ code: "invalid_options" }));
      expect(() => standardWebhooks({ secret: "whsec_" })).toThrow(
        expect.objectContaining({ code: "invalid_options" }),
      );
    });
  });

  describe("per-tenant secrets", () => {
    it("looks the keys up for the tenant and refuses a tenant without keys", async () => {
      const secrets: Record<string, string> = { "tenant-42": testSecret(), "tenant-7": testSecret() };
      const scheme = standardWebhooks({ secrets: ({ tenant }) => (tenant ? secrets[tenant] : undefined) });
      const message = { id: "msg_t", timestamp: new Date(0), body: "{}", tenant: "tenant-42" };
      const headers = await scheme.sign(message);
      const asTenant = (tenant: string | undefined) => ({ ...incoming(headers, "{}"), tenant });
      await expect(scheme.verify(asTenant("tenant-42"))).resolves.toMatchObject({ id: "msg_t" });
      expect(await codeOf(scheme.verify(asTenant("tenant-7")))).toBe("invalid_signature");
      expect(await codeOf(scheme.verify(asTenant("unknown")))).toBe("invalid_signature");
    });
  });
});

describe("svix", () => {
  it("is the Standard Webhooks signature under svix-* headers", async () => {
    const scheme: WebhookScheme = svix({ secret: v1.secret });
    const headers = await scheme.sign({ id: v1.id, timestamp: new Date(v1.timestamp * 1000), body: v1.body });
    expect(headers).toEqual({
      "svix-id": v1.id,
      "svix-timestamp": String(v1.timestamp),
      "svix-signature": v1.signature,
    });
    await expect(scheme.verify(incoming(headers, v1.body))).resolves.toMatchObject({ id: v1.id });
    expect(scheme.name).toBe("svix");
  });
});
