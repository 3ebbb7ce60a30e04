import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link shopify}: the app's client secret, or several while rotating. */
export type ShopifyOptions = SecretOptions;

/**
 * Shopify: base64 HMAC-SHA256 of the body in `X-Shopify-Hmac-Sha256` (header
 * names are case-insensitive, so the lowercase form event buses forward works
 * too). Shopify signs no timestamp (`timestamped: false`): replay protection
 * rests on the replay store, keyed on the MAC; `X-Shopify-Webhook-Id` names the message.
 *
 * @example
 * const verifier = createVerifier({ scheme: shopify({ secret: process.env.SHOPIFY_API_SECRET }) });
 */
export function shopify(options: ShopifyOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "shopify",
      algorithm: "hmac-sha256",
      signatureHeader: "x-shopify-hmac-sha256",
      encoding: "base64",
      idHeader: "x-shopify-webhook-id",
    }),
    options,
  );
}

export const shopifyProvider = defineProvider(
  {
    title: "Shopify",
    algorithm: "hmac-sha256",
    timestamped: false,
    messageId: "X-Shopify-Webhook-Id names it (unsigned: the MAC deduplicates)",
    docs: "https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook",
    keys: "secret",
  },
  shopify,
);
