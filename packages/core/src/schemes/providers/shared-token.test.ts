import { describe, expect, it } from "vitest";
import { encodeBase64 } from "../../lib/base64.js";
import { utf8 } from "../../lib/utf8.js";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { gitlab } from "./gitlab.js";
import { postmark } from "./postmark.js";
import { telegram } from "./telegram.js";
import { describeConformance, hmacConformance } from "./test-support/conformance.js";

describeConformance(
  hmacConformance("gitlab", gitlab, { authenticatesBody: false, unsignedHeaders: ["x-gitlab-event-uuid"] }),
);
describeConformance(hmacConformance("telegram", telegram, { authenticatesBody: false }));
describeConformance({
  ...hmacConformance("postmark", postmark, { authenticatesBody: false }),
  newKey: () => {
    const credentials = `hooks:${crypto.randomUUID()}`;
    return { signing: credentials, verifying: credentials };
  },
});

describe("shared-token schemes (gitlab, telegram, postmark)", () => {
  const token = "a-gitlab-token-of-some-length";
  it("say in their type that the token is not a signature, and sign no time", () => {
    for (const scheme of [gitlab({ secret: token }), telegram({ secret: token }), postmark({ secret: `u:${token}` })]) {
      expect(scheme).toMatchObject({ proof: "shared-token", timestamped: false });
    }
  });

  it("gitlab: accepts the token in X-Gitlab-Token, deduplicates on the body's digest, refuses another token", async () => {
    const scheme = gitlab({ secrets: [token, "an-older-gitlab-token-value"] });
    const body = '{"object_kind":"push"}';
    const a = await scheme.verify(incomingWebhook({ "x-gitlab-token": token, "x-gitlab-event-uuid": "uuid-1" }, body));
    const b = await scheme.verify(
      incomingWebhook({ "x-gitlab-token": "an-older-gitlab-token-value", "x-gitlab-event-uuid": "uuid-2" }, body),
    );
    expect(a.id).toBe("uuid-1");
    expect(a.replayKey).toBe(b.replayKey);
    expect(await codeOf(scheme.verify(incomingWebhook({ "x-gitlab-token": `${token}x` }, body)))).toBe(
      "invalid_signature",
    );
    expect(await codeOf(scheme.verify(incomingWebhook({}, body)))).toBe("missing_header");
    expect(() => gitlab({ secret: "short" })).toThrow(expect.objectContaining({ code: "invalid_options" }));
  });

  it("postmark: reads Basic credentials, refuses another password or a malformed header", async () => {
    const scheme = postmark({ secret: `hooks:${token}` });
    const header = (text: string) => ({ authorization: `Basic ${encodeBase64(utf8(text))}` });
    await expect(scheme.verify(incomingWebhook(header(`hooks:${token}`), "{}"))).resolves.toBeDefined();
    expect(await codeOf(scheme.verify(incomingWebhook(header(`hooks:${token}!`), "{}")))).toBe("invalid_signature");
    expect(await codeOf(scheme.verify(incomingWebhook({ authorization: "Bearer abc" }, "{}")))).toBe(
      "malformed_header",
    );
    expect(await codeOf(scheme.verify(incomingWebhook(header("no-colon"), "{}")))).toBe("malformed_header");
    expect(await scheme.sign({ id: "x", timestamp: new Date(), body: "{}" })).toEqual(header(`hooks:${token}`));
  });
});
