import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacHex } from "./test-support/recipe.js";
import { intercom } from "./intercom.js";

describeConformance(hmacConformance("intercom", intercom));

// The documented recipe (https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications), recomputed on Web Crypto without hooksec.
describe("intercom", () => {
  const secret = "intercom-signing-secret-not-real";
  const body = '{"id":"evt_intercom_1","event_id":"evt_intercom_1","type":"test"}';
  it("verifies and re-creates a signature made by the documented recipe", async () => {
    const headers = { "x-hub-signature": `sha1=${await hmacHex("SHA-1", secret, body)}` };
    const result = await intercom({ secret }).verify(incomingWebhook(headers, body));
    expect(result.timestamp).toBeUndefined();
    expect(await intercom({ secret }).sign({ id: "x", timestamp: new Date(), body })).toMatchObject(headers);
    expect(await codeOf(intercom({ secret }).verify(incomingWebhook(headers, `${body} `)))).toBe("invalid_signature");
    expect(result.id).toBe("evt_intercom_1");
  });
});
