import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacHex } from "./test-support/recipe.js";
import { meta } from "./meta.js";

describeConformance(hmacConformance("meta", meta));

// The documented recipe (https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads), recomputed on Web Crypto without hooksec.
describe("meta", () => {
  const secret = "meta-signing-secret-not-real";
  const body = '{"id":"evt_meta_1","event_id":"evt_meta_1","type":"test"}';
  it("verifies and re-creates a signature made by the documented recipe", async () => {
    const headers = { "x-hub-signature-256": `sha256=${await hmacHex("SHA-256", secret, body)}` };
    const result = await meta({ secret }).verify(incomingWebhook(headers, body));
    expect(result.timestamp).toBeUndefined();
    expect(await meta({ secret }).sign({ id: "x", timestamp: new Date(), body })).toMatchObject(headers);
    expect(await codeOf(meta({ secret }).verify(incomingWebhook(headers, `${body} `)))).toBe("invalid_signature");
    expect(result.id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
});
