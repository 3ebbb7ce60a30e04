import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link slack}: the app's signing secret, or several while rotating. */
export type SlackOptions = SecretOptions;

/**
 * Slack: `X-Slack-Signature: v0=<hex>` over `v0:{timestamp}:{body}` with
 * `X-Slack-Request-Timestamp`, keyed by the app's signing secret. Unlike
 * Slack's SDK, the verifier also bounds timestamps in the future.
 *
 * @example
 * const verifier = createVerifier({ scheme: slack({ secret: process.env.SLACK_SIGNING_SECRET }) });
 */
export function slack(options: SlackOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "slack",
      algorithm: "hmac-sha256",
      signatureHeader: "x-slack-signature",
      prefix: "v0=",
      encoding: "hex",
      timestampHeader: "x-slack-request-timestamp",
      signedContent: "v0:{timestamp}:{body}",
    }),
    options,
  );
}

export const slackProvider = defineProvider(
  {
    title: "Slack",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "the MAC (Slack sends no signed id)",
    docs: "https://api.slack.com/authentication/verifying-requests-from-slack",
    keys: "secret",
  },
  slack,
);
