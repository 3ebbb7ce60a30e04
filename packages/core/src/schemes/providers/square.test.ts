import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacBase64 } from "./test-support/recipe.js";
import { square } from "./square.js";

describeConformance(hmacConformance("square", square));

describe("square", () => {
  const secret = "square-signature-key-not-real";
  const notificationUrl = "https://example.com/webhooks/square";
  const body = '{"merchant_id":"M1","type":"payment.updated","event_id":"e-1","data":{}}';
  it("verifies base64 HMAC of notification URL + body against the configured URL, or the request's", async () => {
    const headers = {
      "x-square-hmacsha256-signature": await hmacBase64("SHA-256", secret, `${notificationUrl}${body}`),
    };
    await expect(
      square({ secret, notificationUrl }).verify(incomingWebhook(headers, body, "http://10.0.0.5:8080/internal")),
    ).resolves.toMatchObject({ id: "e-1" });
    await expect(square({ secret }).verify(incomingWebhook(headers, body, notificationUrl))).resolves.toMatchObject({
      id: "e-1",
    });
    expect(await codeOf(square({ secret }).verify(incomingWebhook(headers, body, `${notificationUrl}/other`)))).toBe(
      "invalid_signature",
    );
    expect(await codeOf(square({ secret }).sign({ id: "x", timestamp: new Date(), body }))).toBe("invalid_options");
  });
});
