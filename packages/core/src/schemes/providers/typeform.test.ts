import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacBase64 } from "./test-support/recipe.js";
import { typeform } from "./typeform.js";

describeConformance(hmacConformance("typeform", typeform));

// The documented recipe (https://www.typeform.com/developers/webhooks/secure-your-webhooks/), recomputed on Web Crypto without hooksec.
describe("typeform", () => {
  const secret = "typeform-signing-secret-not-real";
  const body = '{"id":"evt_typeform_1","event_id":"evt_typeform_1","type":"test"}';
  it("verifies and re-creates a signature made by the documented recipe", async () => {
    const headers = { "typeform-signature": `sha256=${await hmacBase64("SHA-256", secret, body)}` };
    const result = await typeform({ secret }).verify(incomingWebhook(headers, body));
    expect(result.timestamp).toBeUndefined();
    expect(await typeform({ secret }).sign({ id: "x", timestamp: new Date(), body })).toMatchObject(headers);
    expect(await codeOf(typeform({ secret }).verify(incomingWebhook(headers, `${body} `)))).toBe("invalid_signature");
    expect(result.id).toBe("evt_typeform_1");
  });
});
