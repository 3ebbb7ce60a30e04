import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacHex } from "./test-support/recipe.js";
import { lemonSqueezy } from "./lemon-squeezy.js";

describeConformance(hmacConformance("lemon-squeezy", lemonSqueezy));

// The documented recipe (https://docs.lemonsqueezy.com/help/webhooks/signing-requests), recomputed on Web Crypto without hooksec.
describe("lemon-squeezy", () => {
  const secret = "lemon-squeezy-signing-secret-not-real";
  const body = '{"id":"evt_lemon-squeezy_1","event_id":"evt_lemon-squeezy_1","type":"test"}';
  it("verifies and re-creates a signature made by the documented recipe", async () => {
    const headers = { "x-signature": `${await hmacHex("SHA-256", secret, body)}` };
    const result = await lemonSqueezy({ secret }).verify(incomingWebhook(headers, body));
    expect(result.timestamp).toBeUndefined();
    expect(await lemonSqueezy({ secret }).sign({ id: "x", timestamp: new Date(), body })).toMatchObject(headers);
    expect(await codeOf(lemonSqueezy({ secret }).verify(incomingWebhook(headers, `${body} `)))).toBe(
      "invalid_signature",
    );
    expect(result.id).toMatch(/^[A-Za-z0-9+/]{43}=$/); // no id: the MAC deduplicates
  });
});
