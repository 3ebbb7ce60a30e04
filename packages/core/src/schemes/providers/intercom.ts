import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link intercom}: the app's client secret, or several while rotating. */
export type IntercomOptions = SecretOptions;

/**
 * Intercom: `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 of the body keyed by the app's client secret.
 * No signed timestamp (`timestamped: false`); the notification's `id` in the signed body deduplicates.
 * https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications
 *
 * @example
 * const verifier = createVerifier({ scheme: intercom({ secret: process.env.INTERCOM_WEBHOOK_SECRET }) });
 */
export function intercom(options: IntercomOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "intercom",
      algorithm: "hmac-sha1",
      signatureHeader: "x-hub-signature",
      prefix: "sha1=",
      encoding: "hex",
      idJsonField: "id",
    }),
    options,
  );
}

export const intercomProvider = defineProvider(
  {
    title: "Intercom",
    algorithm: "hmac-sha1",
    timestamped: false,
    messageId: "id in the signed body",
    docs: "https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications",
    keys: "secret",
  },
  intercom,
);
