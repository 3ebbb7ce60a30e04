import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8 } from "../../lib/utf8.js";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import { describeConformance, hmacConformance, T } from "./test-support/conformance.js";
import { hmacHex } from "./test-support/recipe.js";
import { linear } from "./linear.js";

const linearBody = fc
  .record({
    action: fc.string({ maxLength: 12 }),
    data: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 12 })),
  })
  .map((event) => JSON.stringify({ ...event, webhookTimestamp: T.getTime() }));

describeConformance(hmacConformance("linear", linear, { body: linearBody, unsignedHeaders: ["linear-delivery"] }));

describe("linear", () => {
  const secret = "lin_wh_signing_secret_not_real";
  it("takes the time from the signed body's webhookTimestamp (ms) and deduplicates on the MAC", async () => {
    const body = JSON.stringify({ action: "create", webhookTimestamp: 1_700_000_000_123 });
    const headers = { "linear-signature": await hmacHex("SHA-256", secret, body), "linear-delivery": "d-1" };
    const result = await linear({ secret }).verify(incomingWebhook(headers, body));
    expect(result).toMatchObject({ id: "d-1", timestamp: new Date(1_700_000_000_123) });
    expect(result.replayKey).toBeDefined();
    const bad = JSON.stringify({ webhookTimestamp: "soon" });
    expect(
      await codeOf(
        linear({ secret }).verify(incomingWebhook({ "linear-signature": await hmacHex("SHA-256", secret, bad) }, bad)),
      ),
    ).toBe("malformed_body");
  });

  it("is refused by the verifier when the signed body has no webhookTimestamp, or an old one", async () => {
    const scheme = linear({ secret });
    const verifier = createVerifier({ scheme, now: () => 1_700_000_000_000, replay: false });
    const untimed = '{"action":"create"}';
    const parts = async (body: string) => ({
      method: "POST",
      url: "https://r.test/",
      headers: await scheme.sign({ id: "d", timestamp: T, body }),
      body: utf8(body),
    });
    expect(await codeOf(verifier.verifyParts(await parts(untimed)))).toBe("missing_header");
    expect(
      await codeOf(verifier.verifyParts(await parts(JSON.stringify({ webhookTimestamp: 1_699_990_000_000 })))),
    ).toBe("timestamp_too_old");
  });
});
