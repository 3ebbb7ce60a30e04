import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { hmacHex } from "./test-support/recipe.js";
import { paddle } from "./paddle.js";

describeConformance(hmacConformance("paddle", paddle));

describe("paddle", () => {
  const secret = "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_not_real";
  it("verifies `ts=..;h1=..` over `ts:body`, names the event by event_id, and accepts a rotated h1", async () => {
    const body = '{"event_id":"evt_01h","event_type":"transaction.completed","data":{}}';
    const h1 = await hmacHex("SHA-256", secret, `1700000000:${body}`);
    const old = await hmacHex("SHA-256", `${secret}_old`, `1700000000:${body}`);
    const result = await paddle({ secret }).verify(
      incomingWebhook({ "paddle-signature": `ts=1700000000;h1=${old};h1=${h1}` }, body),
    );
    expect(result).toMatchObject({ id: "evt_01h", timestamp: new Date(1_700_000_000_000) });
    expect(await codeOf(paddle({ secret }).verify(incomingWebhook({ "paddle-signature": `h1=${h1}` }, body)))).toBe(
      "malformed_header",
    );
  });
});
