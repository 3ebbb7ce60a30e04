import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link paddle}: the notification destination's secret key, or several while rotating. */
export type PaddleOptions = SecretOptions;

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex>`, HMAC-SHA256 over `{ts}:{body}` keyed by
 * the notification destination's secret key (`pdl_ntfset_...`, used as text). Several `h1` are
 * accepted while Paddle rotates the secret. The verifier's window applies to `ts`; the signed
 * body's `event_id` names and deduplicates the event.
 * https://developer.paddle.com/webhooks/signature-verification
 *
 * @example
 * const verifier = createVerifier({ scheme: paddle({ secret: process.env.PADDLE_WEBHOOK_SECRET }) });
 */
export function paddle(options: PaddleOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "paddle",
      algorithm: "hmac-sha256",
      signatureHeader: "paddle-signature",
      signatureParams: { separator: ";", signatureKey: "h1", timestampKey: "ts" },
      signedContent: "{timestamp}:{body}",
      idJsonField: "event_id",
    }),
    options,
  );
}

export const paddleProvider = defineProvider(
  {
    title: "Paddle Billing",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "event_id in the signed body",
    docs: "https://developer.paddle.com/webhooks/signature-verification",
    keys: "secret",
  },
  paddle,
);
