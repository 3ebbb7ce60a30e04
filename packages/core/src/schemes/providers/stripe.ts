import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link stripe}: the endpoint's signing secret (`whsec_...`), or several while rotating. */
export type StripeOptions = SecretOptions;

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>` (several `v1` accepted during a
 * secret roll, `v0` skipped), HMAC-SHA256 over `t.body` keyed by the whole
 * `whsec_...` string as Stripe's SDKs use it. The message id is the event's `id`
 * from the signed body, so Stripe's retries of one event are duplicates.
 *
 * @example
 * const verifier = createVerifier({ scheme: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }) });
 */
export function stripe(options: StripeOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "stripe",
      algorithm: "hmac-sha256",
      signatureHeader: "stripe-signature",
      signatureParams: { separator: ",", signatureKey: "v1", timestampKey: "t" },
      encoding: "hex",
      signedContent: "{timestamp}.{body}",
      idJsonField: "id",
      secretEncoding: "utf8",
    }),
    options,
  );
}

export const stripeProvider = defineProvider(
  {
    title: "Stripe",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "id in the signed body (the event id)",
    docs: "https://docs.stripe.com/webhooks#verify-manually",
    keys: "secret",
  },
  stripe,
);
