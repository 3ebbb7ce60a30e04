import { describe, expect, it } from "vitest";
import vectors from "../../test-support/vectors/standard-webhooks.json" with { type: "json" };
import { incomingWebhook, testSecret } from "../../test-support/fixtures.js";
import { describeConformance } from "./test-support/conformance.js";
import { clerk, resend } from "./svix-based.js";

for (const [name, make] of [
  ["clerk", clerk],
  ["resend", resend],
] as const) {
  describeConformance({
    name,
    newKey: () => {
      const secret = testSecret();
      return { signing: secret, verifying: secret };
    },
    sender: (key) => make({ secret: key.signing as string }),
    receiver: (keys) => make({ secrets: keys.map((key) => key.verifying as string) }),
  });
}

describe("clerk and resend", () => {
  it("are the Standard Webhooks reference vector under svix-* headers, with their own names", async () => {
    const { v1 } = vectors;
    const headers = { "svix-id": v1.id, "svix-timestamp": String(v1.timestamp), "svix-signature": v1.signature };
    for (const make of [clerk, resend]) {
      const scheme = make({ secret: v1.secret });
      await expect(scheme.verify(incomingWebhook(headers, v1.body))).resolves.toMatchObject({ id: v1.id });
      expect(await scheme.sign({ id: v1.id, timestamp: new Date(v1.timestamp * 1000), body: v1.body })).toEqual(
        headers,
      );
    }
    expect([clerk({ secret: v1.secret }).name, resend({ secret: v1.secret }).name]).toEqual(["clerk", "resend"]);
  });
});
