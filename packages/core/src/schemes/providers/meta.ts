import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link meta}: the app secret, or several while rotating. */
export type MetaOptions = SecretOptions;

/**
 * Meta (WhatsApp Cloud API, Messenger, Instagram, Graph API): `X-Hub-Signature-256: sha256=<hex>`,
 * HMAC-SHA256 of the body keyed by the app secret. No signed timestamp and no id header
 * (`timestamped: false`): the replay store deduplicates on the MAC. (The `hub.challenge` GET
 * subscription handshake is answered by your route, not by a scheme.)
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications
 *
 * @example
 * const verifier = createVerifier({ scheme: meta({ secret: process.env.META_WEBHOOK_SECRET }) });
 */
export function meta(options: MetaOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "meta",
      algorithm: "hmac-sha256",
      signatureHeader: "x-hub-signature-256",
      prefix: "sha256=",
      encoding: "hex",
    }),
    options,
  );
}

export const metaProvider = defineProvider(
  {
    title: "Meta (WhatsApp, Messenger, Instagram)",
    algorithm: "hmac-sha256",
    timestamped: false,
    messageId: "none: the MAC deduplicates",
    docs: "https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications",
    keys: "secret",
  },
  meta,
);
