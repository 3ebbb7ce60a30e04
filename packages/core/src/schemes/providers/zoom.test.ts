import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacHex } from "./test-support/recipe.js";
import { zoom, zoomUrlValidation } from "./zoom.js";

describeConformance(hmacConformance("zoom", zoom));

// Zoom's documented recipe (https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events), on Web Crypto.
describe("zoom", () => {
  const secret = "zoom-secret-token-not-real";
  it("verifies `v0=` + hex HMAC of `v0:{ts}:{body}` and signs it back", async () => {
    const body = '{"event":"meeting.started","payload":{}}';
    const headers = {
      "x-zm-signature": `v0=${await hmacHex("SHA-256", secret, `v0:1700000000:${body}`)}`,
      "x-zm-request-timestamp": "1700000000",
    };
    await expect(zoom({ secret }).verify(incomingWebhook(headers, body))).resolves.toMatchObject({
      timestamp: new Date(1_700_000_000_000),
    });
    expect(await zoom({ secret }).sign({ id: "x", timestamp: new Date(1_700_000_000_000), body })).toEqual(headers);
  });

  it("answers the URL validation challenge with the hex HMAC of plainToken, and nothing else", async () => {
    const challenge = JSON.stringify({
      event: "endpoint.url_validation",
      payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" },
    });
    expect(await zoomUrlValidation(secret, challenge)).toEqual({
      plainToken: "qgg8vlvZRS6UYooatFL8Aw",
      encryptedToken: await hmacHex("SHA-256", secret, "qgg8vlvZRS6UYooatFL8Aw"),
    });
    expect(await zoomUrlValidation(secret, '{"event":"meeting.started"}')).toBeUndefined();
    expect(await zoomUrlValidation(secret, "not json")).toBeUndefined();
    expect(await codeOf(zoomUrlValidation("", challenge))).toBe("invalid_options");
  });
});
