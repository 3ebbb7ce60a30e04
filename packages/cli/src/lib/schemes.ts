import { type SecretOptions, type WebhookScheme, github, shopify, slack, standardWebhooks, stripe, svix, twilio } from "@hooksec/core";

/** The schemes `sign`, `verify` and `send` know by name. */
export const SCHEME_NAMES = ["standard-webhooks", "svix", "stripe", "github", "slack", "shopify", "twilio"] as const;
export type SchemeName = (typeof SCHEME_NAMES)[number];

/**
 * Builds a scheme from its name and secrets (newest first: the first signs, any verifies).
 * For `standard-webhooks`, `whsk_`/`whpk_` keys sign and verify Ed25519 (v1a) and may be
 * mixed with `whsec_` secrets.
 *
 * @example
 * const scheme = schemeFor("github", [process.env.GITHUB_WEBHOOK_SECRET ?? ""]);
 * const headers = await scheme.sign({ id: "delivery-1", timestamp: new Date(), body: "{}" });
 */
export function schemeFor(name: SchemeName, secrets: readonly string[]): WebhookScheme {
  const keys: SecretOptions = secrets.length === 1 && secrets[0] !== undefined ? { secret: secrets[0] } : { secrets };
  switch (name) {
    case "standard-webhooks":
      return standardWebhooks(keys);
    case "svix":
      return svix(keys);
    case "stripe":
      return stripe(keys);
    case "github":
      return github(keys);
    case "slack":
      return slack(keys);
    case "shopify":
      return shopify(keys);
    case "twilio":
      return twilio(keys);
  }
}
