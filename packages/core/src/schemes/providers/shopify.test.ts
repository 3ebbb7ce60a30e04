import { describe, expect, it } from "vitest";
import type { OutgoingWebhook } from "../types.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { headerReader } from "../../lib/headers.js";
import { utf8 } from "../../lib/utf8.js";
import { shopify } from "./shopify.js";

const T = new Date(1_700_000_000_000);
const message = (body: Uint8Array | string, id = "msg_1"): OutgoingWebhook => ({
  id,
  timestamp: T,
  body,
  url: "https://receiver.test/hooks",
});

describeConformance(hmacConformance("shopify", shopify, { unsignedHeaders: ["x-shopify-webhook-id"] }));

describe("shopify", () => {
  it("reads the header in any case and names the message by its webhook id", async () => {
    const scheme = shopify({ secret: "shpss_secret_not_real" });
    const headers = await scheme.sign(message('{"id":1}', "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"));
    expect(Object.keys(headers).sort()).toEqual(["x-shopify-hmac-sha256", "x-shopify-webhook-id"]);
    const eventBus = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const canonical = {
      "X-Shopify-Hmac-Sha256": headers["x-shopify-hmac-sha256"] as string,
      "X-Shopify-Webhook-Id": headers["x-shopify-webhook-id"] as string,
    };
    for (const shape of [eventBus, canonical, new Headers(canonical)]) {
      const result = await scheme.verify({
        method: "POST",
        url: "https://r.test/",
        header: headerReader(shape),
        body: utf8('{"id":1}'),
        tenant: undefined,
      });
      expect(result.id).toBe("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
    }
  });
});
