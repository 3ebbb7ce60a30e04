import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacHex } from "./test-support/recipe.js";
import { vercel } from "./vercel.js";

describeConformance(hmacConformance("vercel", vercel));

// The documented recipe (https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks), recomputed on Web Crypto without hooksec.
describe("vercel", () => {
  const secret = "vercel-signing-secret-not-real";
  const body = '{"id":"evt_vercel_1","event_id":"evt_vercel_1","type":"test"}';
  it("verifies and re-creates a signature made by the documented recipe", async () => {
    const headers = { "x-vercel-signature": `${await hmacHex("SHA-1", secret, body)}` };
    const result = await vercel({ secret }).verify(incomingWebhook(headers, body));
    expect(result.timestamp).toBeUndefined();
    expect(await vercel({ secret }).sign({ id: "x", timestamp: new Date(), body })).toMatchObject(headers);
    expect(await codeOf(vercel({ secret }).verify(incomingWebhook(headers, `${body} `)))).toBe("invalid_signature");
    expect(result.id).toBe("evt_vercel_1");
  });
});
