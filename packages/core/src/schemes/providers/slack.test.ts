import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import type { OutgoingWebhook } from "../types.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";
import { utf8 } from "../../lib/utf8.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import { slack } from "./slack.js";

const incoming = (headers: Record<string, string>, body: Uint8Array | string, url = "https://receiver.test/hooks") =>
  incomingWebhook(headers, body, url);
const T = new Date(1_700_000_000_000);
const message = (body: Uint8Array | string, id = "msg_1"): OutgoingWebhook => ({
  id,
  timestamp: T,
  body,
  url: "https://receiver.test/hooks",
});

// Slack's documented example: https://api.slack.com/authentication/verifying-requests-from-slack#a_recipe_for_security
const SLACK_DOC = {
  secret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};

describeConformance(hmacConformance("slack", slack));

describe("slack", () => {
  it("verifies and re-creates Slack's documented example", async () => {
    const scheme = slack({ secret: SLACK_DOC.secret });
    const headers = { "x-slack-signature": SLACK_DOC.signature, "x-slack-request-timestamp": SLACK_DOC.timestamp };
    const result = await scheme.verify(incoming(headers, SLACK_DOC.body));
    expect(result.timestamp?.getTime()).toBe(Number(SLACK_DOC.timestamp) * 1000);
    const signed = await scheme.sign({
      id: "unused",
      timestamp: new Date(Number(SLACK_DOC.timestamp) * 1000),
      body: SLACK_DOC.body,
    });
    expect(signed).toEqual(headers);
  });
});

describe("slack through the verifier", () => {
  it("bounds timestamps in the future too, unlike Slack's SDK", async () => {
    const scheme = slack({ secret: SLACK_DOC.secret });
    const verifier = createVerifier({
      scheme,
      now: () => T.getTime(),
      tolerance: { pastSeconds: 300, futureSeconds: 60 },
    });
    const at = (offsetSeconds: number) =>
      scheme.sign({ ...message("x=1"), timestamp: new Date(T.getTime() + offsetSeconds * 1000) });
    const parts = async (offset: number) => ({
      method: "POST",
      url: "https://r.test/",
      headers: await at(offset),
      body: utf8("x=1"),
    });
    await expect(verifier.verifyParts(await parts(30))).resolves.toMatchObject({ timestamped: true });
    expect(await codeOf(verifier.verifyParts(await parts(120)))).toBe("timestamp_in_future");
    expect(await codeOf(verifier.verifyParts(await parts(-400)))).toBe("timestamp_too_old");
  });
});
