// Clerk and Resend deliver through Svix: the svix SDK's Webhook (what both providers' docs tell
// receivers to use) against our clerk and resend presets. Standard Webhooks/Svix themselves are
// checked in packages/core/src/schemes/standard-webhooks/interop.node.test.ts.
// https://clerk.com/docs/webhooks/sync-data · https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests
import { clerk, resend } from "@hooksec/core";
import fc from "fast-check";
import { Webhook } from "svix";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, tamper } from "./support/receive.js";

const secret = `whsec_${Buffer.from("svix-based-interop-secret-not-real").toString("base64")}`;
const svix = new Webhook(secret);
const body = fc.json({ maxDepth: 2 }).map((data) => JSON.stringify({ type: "user.created", data: JSON.parse(data) }));

function svixAccepts(payload: string, headers: Record<string, string>): boolean {
  try {
    svix.verify(payload, headers);
    return true;
  } catch {
    return false;
  }
}

describe.each([
  ["clerk", clerk],
  ["resend", resend],
])("%s: svix Webhook", (_name, preset) => {
  const scheme = preset({ secret });

  it("svix verifies what our preset signs, and refuses a changed body", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const headers = await scheme.sign({ id: "msg_2interop", timestamp: new Date(), body: payload });
        expect(svixAccepts(payload, headers)).toBe(true);
        expect(svixAccepts(tamper(payload), headers)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it("we verify what svix signs, named by svix-id, and refuse it tampered", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const now = new Date(Math.floor(Date.now() / 1000) * 1000);
        const headers = {
          "svix-id": "msg_2interop",
          "svix-timestamp": String(now.getTime() / 1000),
          "svix-signature": svix.sign("msg_2interop", now, payload),
        };
        await expect(receive(scheme, { headers, body: payload })).resolves.toMatchObject({
          id: "msg_2interop",
          timestamp: now,
        });
        expect(await refusalCode(receive(scheme, { headers, body: tamper(payload) }))).toBe("invalid_signature");
      }),
      { numRuns: 50 },
    );
  });
});
