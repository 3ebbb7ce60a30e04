// Interop in both directions with the reference libraries (Node only: they use Buffer).
import fc from "fast-check";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { testSecret, incomingWebhook } from "../../test-support/fixtures.js";
import { standardWebhooks } from "./standard-webhooks.js";
import { svix } from "./svix.js";

const messageId = fc.stringMatching(/^msg_[A-Za-z0-9]{1,30}$/);
// The reference libraries JSON.parse the payload on verify, so the bodies are JSON.
const jsonBody = fc.jsonValue().map((value) => JSON.stringify(value));

const incoming = incomingWebhook;

describe("interop with the standardwebhooks package", () => {
  it("verifies what it signs", async () => {
    const secret = testSecret();
    const reference = new StandardWebhook(secret);
    const ours = standardWebhooks({ secret });
    await fc.assert(
      fc.asyncProperty(messageId, jsonBody, async (id, body) => {
        const timestamp = new Date();
        const signature = reference.sign(id, timestamp, body);
        const headers = {
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "webhook-signature": signature,
        };
        await expect(ours.verify(incoming(headers, body))).resolves.toMatchObject({ id });
      }),
      { numRuns: 100 },
    );
  });

  it("is verified by it", async () => {
    const secret = testSecret();
    const reference = new StandardWebhook(secret);
    const ours = standardWebhooks({ secret });
    await fc.assert(
      fc.asyncProperty(messageId, jsonBody, async (id, body) => {
        const headers = await ours.sign({ id, timestamp: new Date(), body });
        expect(reference.verify(body, headers)).toEqual(JSON.parse(body));
      }),
      { numRuns: 100 },
    );
  });
});

describe("interop with the svix package", () => {
  it("verifies what it signs", async () => {
    const secret = testSecret();
    const reference = new SvixWebhook(secret);
    const ours = svix({ secret });
    await fc.assert(
      fc.asyncProperty(messageId, jsonBody, async (id, body) => {
        const timestamp = new Date();
        const headers = {
          "svix-id": id,
          "svix-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "svix-signature": reference.sign(id, timestamp, body),
        };
        await expect(ours.verify(incoming(headers, body))).resolves.toMatchObject({ id });
      }),
      { numRuns: 100 },
    );
  });

  it("is verified by it", async () => {
    const secret = testSecret();
    const reference = new SvixWebhook(secret);
    const ours = svix({ secret });
    await fc.assert(
      fc.asyncProperty(messageId, jsonBody, async (id, body) => {
        const headers = await ours.sign({ id, timestamp: new Date(), body });
        expect(reference.verify(body, headers)).toEqual(JSON.parse(body));
      }),
      { numRuns: 100 },
    );
  });
});
