import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link lemonSqueezy}: the webhook's signing secret, or several while rotating. */
export type LemonSqueezyOptions = SecretOptions;

/**
 * Lemon Squeezy: hex HMAC-SHA256 of the body in `X-Signature`, keyed by the webhook's signing secret.
 * No signed timestamp and no id header (`timestamped: false`): replay protection rests on the
 * replay store, keyed on the MAC.
 * https://docs.lemonsqueezy.com/help/webhooks/signing-requests
 *
 * @example
 * const verifier = createVerifier({ scheme: lemonSqueezy({ secret: process.env.LEMON_SQUEEZY_WEBHOOK_SECRET }) });
 */
export function lemonSqueezy(options: LemonSqueezyOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "lemon-squeezy",
      algorithm: "hmac-sha256",
      signatureHeader: "x-signature",
      encoding: "hex",
    }),
    options,
  );
}

export const lemonSqueezyProvider = defineProvider(
  {
    title: "Lemon Squeezy",
    algorithm: "hmac-sha256",
    timestamped: false,
    messageId: "none: the MAC deduplicates",
    docs: "https://docs.lemonsqueezy.com/help/webhooks/signing-requests",
    keys: "secret",
  },
  lemonSqueezy,
);
