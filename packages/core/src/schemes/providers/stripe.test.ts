import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import type { OutgoingWebhook } from "../types.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { utf8 } from "../../lib/utf8.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import { stripe } from "./stripe.js";

const incoming = (headers: Record<string, string>, body: Uint8Array | string, url = "https://receiver.test/hooks") =>
  incomingWebhook(headers, body, url);
const T = new Date(1_700_000_000_000);
const message = (body: Uint8Array | string, id = "msg_1"): OutgoingWebhook => ({
  id,
  timestamp: T,
  body,
  url: "https://receiver.test/hooks",
});

describeConformance(hmacConformance("stripe", stripe));

describe("stripe", () => {
  const secret = "whsec_test_secret_not_real";
  it("names the message by the event id inside the signed body, and accepts any of several v1 signatures", async () => {
    const scheme = stripe({ secret });
    const body = '{"id":"evt_123","object":"event"}';
    const headers = await scheme.sign(message(body));
    expect(headers["stripe-signature"]).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    const other = (await stripe({ secret: "whsec_other_secret_not_real" }).sign(message(body)))[
      "stripe-signature"
    ]?.split(",")[1];
    const rolled = { "stripe-signature": `${headers["stripe-signature"]?.replace(",v1=", `,${other},v0=abc,v1=`)}` };
    const result = await scheme.verify(incoming(rolled, body));
    expect(result.id).toBe("evt_123");
    expect(result.replayKey).toBeUndefined();
  });

  it.each([
    [`v1=${"a".repeat(64)}`, "malformed_header"],
    [`t=1,t=2,v1=${"a".repeat(64)}`, "malformed_header"],
    [`t=abc,v1=${"a".repeat(64)}`, "malformed_header"],
    ["t=1,v1=abcd", "malformed_header"],
    [`t=1, v1=${"a".repeat(64)}`, "malformed_header"],
    [`t=1,v0=${"a".repeat(64)}`, "invalid_signature"],
  ])("refuses %j (%s)", async (value, code) => {
    expect(await codeOf(stripe({ secret }).verify(incoming({ "stripe-signature": value }, "{}")))).toBe(code);
  });

  it("goes through the verifier with freshness and deduplication on the event id", async () => {
    const scheme = stripe({ secret });
    const verifier = createVerifier({ scheme, now: () => T.getTime() + 1000 });
    const body = '{"id":"evt_dup"}';
    const first = await verifier.verifyParts({
      method: "POST",
      url: "https://r.test/",
      headers: await scheme.sign(message(body)),
      body: utf8(body),
    });
    await first.complete();
    // Stripe retries the same event with a new timestamp and signature: still a duplicate
    const retry = await scheme.sign({ ...message(body), timestamp: new Date(T.getTime() + 500) });
    const second = await verifier.verifyParts({
      method: "POST",
      url: "https://r.test/",
      headers: retry,
      body: utf8(body),
    });
    expect([first.duplicate, second.duplicate]).toEqual([false, true]);
    const stale = await scheme.sign({ ...message(body), timestamp: new Date(T.getTime() - 3_600_000) });
    expect(
      await codeOf(verifier.verifyParts({ method: "POST", url: "https://r.test/", headers: stale, body: utf8(body) })),
    ).toBe("timestamp_too_old");
  });
});
