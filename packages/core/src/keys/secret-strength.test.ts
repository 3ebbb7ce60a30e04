import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeBase64 } from "../lib/base64.js";
import { github } from "../schemes/providers/github.js";
import { shopify } from "../schemes/providers/shopify.js";
import { slack } from "../schemes/providers/slack.js";
import { stripe } from "../schemes/providers/stripe.js";
import { twilio } from "../schemes/providers/twilio.js";
import { hmacScheme } from "../schemes/hmac/hmac-scheme.js";
import { standardWebhooks } from "../schemes/standard-webhooks/standard-webhooks.js";
import { svix } from "../schemes/standard-webhooks/svix.js";
import type { SecretInput } from "./secret-input.js";
import { MIN_HMAC_KEY_BYTES } from "./secret-strength.js";
import { codeOf } from "../test-support/outcome.js";
import { incomingWebhook } from "../test-support/fixtures.js";

const refusal = (make: () => unknown) => {
  try {
    make();
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  return { code: "accepted", message: "" };
};

const schemes: [string, (secret: SecretInput) => unknown][] = [
  ["standardWebhooks", (secret) => standardWebhooks({ secret })],
  ["svix", (secret) => svix({ secret })],
  ["stripe", (secret) => stripe({ secret })],
  ["github", (secret) => github({ secret })],
  ["slack", (secret) => slack({ secret })],
  ["shopify", (secret) => shopify({ secret })],
  ["twilio", (secret) => twilio({ secret })],
  ["hmacScheme", (secret) => hmacScheme({ name: "acme", secret, signatureHeader: "x-sig" })],
];

describe("weak HMAC secrets", () => {
  it.each(schemes)(
    "%s refuses a key under 16 bytes with invalid_options, naming `hooksec secret` (property)",
    (_name, make) => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
          const { code, message } = refusal(() => make(bytes));
          if (bytes.length < MIN_HMAC_KEY_BYTES) {
            expect(code).toBe("invalid_options");
            expect(message).toContain("hooksec secret");
          } else {
            expect(code).toBe("accepted");
          }
        }),
        { numRuns: 100 },
      );
    },
  );

  it("refuses a 1-byte whsec_ secret, a short provider secret and a plain word read as base64", () => {
    expect(refusal(() => standardWebhooks({ secret: "whsec_AA==" }))).toMatchObject({ code: "invalid_options" });
    expect(refusal(() => github({ secret: "mysecret" }))).toMatchObject({ code: "invalid_options" });
    for (const word of [
      "supersecretwebhooksecret",
      "whsec_supersecretwebhooksecret",
      "WEBHOOKSECRETFORPRODUCTION1".slice(0, 24),
    ]) {
      const { code, message } = refusal(() => standardWebhooks({ secret: word }));
      expect(code, word).toBe("invalid_options");
      expect(message).toContain("hooksec secret");
    }
    expect(
      refusal(() =>
        hmacScheme({
          name: "acme",
          secret: "supersecretwebhooksecret",
          secretEncoding: "base64",
          signatureHeader: "x-sig",
        }),
      ),
    ).toMatchObject({
      code: "invalid_options",
    });
  });

  it("accepts random secrets in every spelling the formats allow", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 64 }), (bytes) => {
        const text = encodeBase64(bytes);
        for (const secret of [`whsec_${text}`, text])
          expect(refusal(() => standardWebhooks({ secret })).code).toBe("accepted");
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a weak secret returned by a per-tenant lookup with invalid_options when it is used", async () => {
    const scheme = standardWebhooks({ secrets: () => "whsec_AAAA" });
    const headers = {
      "webhook-id": "msg_1",
      "webhook-timestamp": "1700000000",
      "webhook-signature": `v1,${encodeBase64(new Uint8Array(32))}`,
    };
    expect(await codeOf(scheme.verify(incomingWebhook(headers, "{}")))).toBe("invalid_options");
  });
});
