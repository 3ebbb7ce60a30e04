import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import type { OutgoingWebhook } from "../types.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { encodeBase64 } from "../../lib/base64.js";
import { utf8 } from "../../lib/utf8.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import { github } from "./github.js";

const incoming = (headers: Record<string, string>, body: Uint8Array | string, url = "https://receiver.test/hooks") =>
  incomingWebhook(headers, body, url);
const T = new Date(1_700_000_000_000);
const message = (body: Uint8Array | string, id = "msg_1"): OutgoingWebhook => ({
  id,
  timestamp: T,
  body,
  url: "https://receiver.test/hooks",
});

// GitHub's documented example: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
const GITHUB_DOC = {
  secret: "It's a Secret to Everybody",
  body: "Hello, World!",
  signature: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
};

describeConformance(hmacConformance("github", github, { unsignedHeaders: ["x-github-delivery"] }));

describe("github", () => {
  it("verifies GitHub's documented example and refuses the legacy SHA-1 header alone", async () => {
    const scheme = github({ secret: GITHUB_DOC.secret });
    const result = await scheme.verify(
      incoming(
        { "x-hub-signature-256": GITHUB_DOC.signature, "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" },
        GITHUB_DOC.body,
      ),
    );
    expect(result).toMatchObject({ id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", timestamp: undefined });
    // the delivery id is not signed: the MAC, which is, deduplicates
    expect(result.replayKey).toBe(
      encodeBase64(Uint8Array.from(GITHUB_DOC.signature.slice(7).match(/../g) ?? [], (h) => parseInt(h, 16))),
    );
    expect(scheme.timestamped).toBe(false);
    expect((await scheme.sign({ id: "d1", timestamp: new Date(), body: GITHUB_DOC.body }))["x-hub-signature-256"]).toBe(
      GITHUB_DOC.signature,
    );
    const legacy = { "x-hub-signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59" };
    expect(await codeOf(scheme.verify(incoming(legacy, GITHUB_DOC.body)))).toBe("missing_header");
  });

  it("deduplicates a replay with a forged delivery id on the MAC", async () => {
    const scheme = github({ secret: "github-secret-not-real" });
    const verifier = createVerifier({ scheme });
    const headers = await scheme.sign(message("{}", "delivery-1"));
    const first = await verifier.verifyParts({ method: "POST", url: "https://r.test/", headers, body: utf8("{}") });
    await first.complete();
    const replay = await verifier.verifyParts({
      method: "POST",
      url: "https://r.test/",
      headers: { ...headers, "x-github-delivery": "delivery-2" },
      body: utf8("{}"),
    });
    expect(first).toMatchObject({ duplicate: false, timestamped: false, timestamp: undefined });
    expect(replay.duplicate).toBe(true);
  });
});
