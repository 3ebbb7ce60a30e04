import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link vercel}: the webhook's secret (or the integration's client secret), or several while rotating. */
export type VercelOptions = SecretOptions;

/**
 * Vercel: `x-vercel-signature`, hex HMAC-SHA1 of the body keyed by the webhook secret (SHA-1 is what
 * Vercel signs with; as an HMAC it is still unforgeable). No signed timestamp (`timestamped: false`);
 * the event's `id` in the signed body deduplicates.
 * https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks
 *
 * @example
 * const verifier = createVerifier({ scheme: vercel({ secret: process.env.VERCEL_WEBHOOK_SECRET }) });
 */
export function vercel(options: VercelOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "vercel",
      algorithm: "hmac-sha1",
      signatureHeader: "x-vercel-signature",
      encoding: "hex",
      idJsonField: "id",
    }),
    options,
  );
}

export const vercelProvider = defineProvider(
  {
    title: "Vercel",
    algorithm: "hmac-sha1",
    timestamped: false,
    messageId: "id in the signed body",
    docs: "https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks",
    keys: "secret",
  },
  vercel,
);
