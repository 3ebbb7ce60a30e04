// Slack: @slack/bolt's verifySlackRequest against our slack preset. Bolt only verifies, so
// Slack's side is signed with Slack's documented recipe: hex HMAC-SHA256 of `v0:{ts}:{body}`.
// https://api.slack.com/authentication/verifying-requests-from-slack
import { createHmac } from "node:crypto";
import { slack } from "@hooksec/core";
import { verifySlackRequest } from "@slack/bolt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, seconds, tamper } from "./support/receive.js";

const signingSecret = "slack-signing-secret-interop-not-real";
const scheme = slack({ secret: signingSecret });
const body = fc.string({ maxLength: 400 });

function slackSigned(payload: string, timestamp: number): Record<string, string> {
  const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${payload}`).digest("hex")}`;
  return { "x-slack-signature": signature, "x-slack-request-timestamp": String(timestamp) };
}

function boltVerifies(headers: Record<string, string>, payload: string, nowMilliseconds: number): boolean {
  try {
    verifySlackRequest({
      signingSecret,
      body: payload,
      nowMilliseconds,
      headers: {
        "x-slack-signature": headers["x-slack-signature"] as string,
        "x-slack-request-timestamp": Number(headers["x-slack-request-timestamp"]),
      },
    });
    return true;
  } catch {
    return false;
  }
}

describe("slack: @slack/bolt verifySlackRequest", () => {
  it("accepts what our preset signs, and refuses it with the body changed", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const now = Date.now();
        const headers = await scheme.sign({ id: "ignored", timestamp: new Date(now), body: payload });
        expect(boltVerifies(headers, payload, now)).toBe(true);
        expect(boltVerifies(headers, tamper(payload), now)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("we accept what Slack's recipe signs (the request Bolt accepts), and refuse it tampered", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const now = Date.now();
        const headers = slackSigned(payload, seconds(now));
        expect(boltVerifies(headers, payload, now)).toBe(true);
        const webhook = await receive(scheme, { headers, body: payload, now });
        expect(webhook.timestamp?.getTime()).toBe(seconds(now) * 1000);
        expect(await refusalCode(receive(scheme, { headers, body: tamper(payload), now }))).toBe("invalid_signature");
      }),
      { numRuns: 100 },
    );
  });

  it("both refuse another signing secret", async () => {
    const now = Date.now();
    const payload = "token=x&team_id=T1&command=%2Fweather";
    const headers = await slack({ secret: "another-slack-signing-secret-not-real" }).sign({
      id: "x",
      timestamp: new Date(now),
      body: payload,
    });
    expect(boltVerifies(headers, payload, now)).toBe(false);
    expect(await refusalCode(receive(scheme, { headers, body: payload, now }))).toBe("invalid_signature");
  });
});
