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
    expect(await hubspot({ secret }).sign({ id: "x", timestamp: new Date(1_700_000_000_123), body, url })).toEqual(
      headers,
    );
    expect(
      await codeOf(
        hubspot({ secret }).verify(incomingWebhook({ ...headers, "x-hubspot-request-timestamp": "1.7e12" }, body, url)),
      ),
    ).toBe("malformed_header");
    expect(await codeOf(hubspot({ secret }).verify({ ...incomingWebhook(headers, body, url), method: "PUT" }))).toBe(
      "invalid_signature",
    );
  });

  it("decodes the characters HubSpot's docs list (%3A, %40...) in the URI it signs, as HubSpot does", async () => {
    // Regression: HubSpot signs the URI with %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B
    // decoded; we signed the URL as received, so a query holding an email (`%40`) was refused.
    const received = "https://example.com/webhooks/hubspot?email=a%40b.test&at=12%3a30&q=%27x%27%20y";
    const signed = "https://example.com/webhooks/hubspot?email=a@b.test&at=12:30&q='x'%20y";
    const body = '[{"eventId":2}]';
    const headers = {
      "x-hubspot-signature-v3": await hmacBase64("SHA-256", secret, `POST${signed}${body}1700000000123`),
      "x-hubspot-request-timestamp": "1700000000123",
    };
    await expect(hubspot({ secret }).verify(incomingWebhook(headers, body, received))).resolves.toBeDefined();
    expect(
      await hubspot({ secret }).sign({ id: "x", timestamp: new Date(1_700_000_000_123), body, url: received }),
    ).toEqual(headers);
    expect(
      await codeOf(hubspot({ secret }).verify(incomingWebhook(headers, body, received.replace("%40", "%41")))),
    ).toBe("invalid_signature");
  });
});
