import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link typeform}: the webhook's secret, or several while rotating. */
export type TypeformOptions = SecretOptions;

/**
 * Typeform: `Typeform-Signature: sha256=<base64>`, HMAC-SHA256 of the body. No signed timestamp
 * (`timestamped: false`); the message is named by the signed body's `event_id`, which deduplicates retries.
 * https://www.typeform.com/developers/webhooks/secure-your-webhooks/
 *
 * @example
 * const verifier = createVerifier({ scheme: typeform({ secret: process.env.TYPEFORM_WEBHOOK_SECRET }) });
 */
export function typeform(options: TypeformOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "typeform",
      algorithm: "hmac-sha256",
      signatureHeader: "typeform-signature",
      prefix: "sha256=",
      encoding: "base64",
      idJsonField: "event_id",
    }),
    options,
  );
}

export const typeformProvider = defineProvider(
  {
    title: "Typeform",
    algorithm: "hmac-sha256",
    timestamped: false,
    messageId: "event_id in the signed body",
    docs: "https://www.typeform.com/developers/webhooks/secure-your-webhooks/",
    keys: "secret",
  },
  typeform,
);
