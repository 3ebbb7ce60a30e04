import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacBase64 } from "./test-support/recipe.js";
import { hubspot } from "./hubspot.js";

describeConformance(hmacConformance("hubspot", hubspot));

describe("hubspot", () => {
  const secret = "hubspot-client-secret-not-real";
  const url = "https://example.com/webhooks/hubspot?portal=1";
  it("verifies v3: base64 HMAC of method + URL + body + timestamp (ms), and the time is the header's", async () => {
    const body = '[{"eventId":1,"subscriptionType":"contact.creation"}]';
    const headers = {
      "x-hubspot-signature-v3": await hmacBase64("SHA-256", secret, `POST${url}${body}1700000000123`),
      "x-hubspot-request-timestamp": "1700000000123",
    };
    const result = await hubspot({ secret }).verify(incomingWebhook(headers, body, url));
    expect(result.timestamp?.getTime()).toBe(1_700_000_000_123);
    expect(await hubspot({ secret }).sign({ id: "x", timestamp: new Date(1_700_000_000_123), body, url })).toEqual(headers);
    expect(await codeOf(hubspot({ secret }).verify(incomingWebhook({ ...headers, "x-hubspot-request-timestamp": "1.7e12" }, body, url)))).toBe("malformed_header");
    expect(await codeOf(hubspot({ secret }).verify({ ...incomingWebhook(headers, body, url), method: "PUT" }))).toBe("invalid_signature");
  });
});
