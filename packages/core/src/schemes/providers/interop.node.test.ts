// Interop with the providers' own SDKs (Node builds): what they sign we verify, what we sign they accept.
import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import fc from "fast-check";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { headerReader } from "../../lib/headers.js";
import { utf8 } from "../../lib/utf8.js";
import { github } from "./github.js";
import { stripe } from "./stripe.js";

function incoming(headers: Record<string, string>, body: string) {
  return {
    method: "POST",
    url: "https://receiver.test/",
    header: headerReader(headers),
    body: utf8(body),
    tenant: undefined,
  };
}

const eventBody = fc
  .record({
    id: fc.stringMatching(/^evt_[A-Za-z0-9]{4,24}$/),
    data: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 })),
  })
  .map((event) => JSON.stringify({ ...event, object: "event" }));

describe("stripe SDK interop", () => {
  const secret = "whsec_interop_test_secret_not_real";

  it("verifies what stripe.webhooks.generateTestHeaderString signs", async () => {
    const scheme = stripe({ secret });
    await fc.assert(
      fc.asyncProperty(
        eventBody,
        fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
        async (payload, timestamp) => {
          const header = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
          const result = await scheme.verify(incoming({ "Stripe-Signature": header }, payload));
          expect(result.id).toBe(JSON.parse(payload).id);
          expect(result.timestamp?.getTime()).toBe(timestamp * 1000);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("signs what stripe.webhooks.constructEvent accepts, and the SDK refuses it under another secret", async () => {
    const scheme = stripe({ secret });
    await fc.assert(
      fc.asyncProperty(eventBody, async (payload) => {
        const headers = await scheme.sign({ id: "ignored", timestamp: new Date(), body: payload });
        const event = Stripe.webhooks.constructEvent(payload, headers["stripe-signature"] as string, secret);
        expect(event.id).toBe(JSON.parse(payload).id);
        expect(() =>
          Stripe.webhooks.constructEvent(payload, headers["stripe-signature"] as string, "whsec_other"),
        ).toThrow();
      }),
      { numRuns: 50 },
    );
  });
});

describe("@octokit/webhooks-methods interop", () => {
  const secret = "octokit interop secret";
  const payload = fc.string({ minLength: 1, maxLength: 300 }); // octokit refuses an empty payload

  it("verifies what octokit signs", async () => {
    const scheme = github({ secret });
    await fc.assert(
      fc.asyncProperty(payload, async (body) => {
        const signature = await octokitSign(secret, body);
        await expect(
          scheme.verify(incoming({ "X-Hub-Signature-256": signature, "X-GitHub-Delivery": "d-1" }, body)),
        ).resolves.toMatchObject({
          id: "d-1",
        });
      }),
      { numRuns: 100 },
    );
  });

  it("signs what octokit verifies, and octokit refuses another secret", async () => {
    const scheme = github({ secret });
    await fc.assert(
      fc.asyncProperty(payload, async (body) => {
        const headers = await scheme.sign({ id: "d-2", timestamp: new Date(), body });
        expect(await octokitVerify(secret, body, headers["x-hub-signature-256"] as string)).toBe(true);
        expect(await octokitVerify("other", body, headers["x-hub-signature-256"] as string)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
