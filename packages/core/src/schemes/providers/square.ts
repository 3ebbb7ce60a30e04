import type { SecretOptions } from "../../keys/secret-input.js";
import { utf8 } from "../../lib/utf8.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";
import { urlToSign } from "./signed-url.js";

/** Options of {@link square}: the subscription's signature key, and the notification URL it signs. */
export type SquareOptions = SecretOptions & {
  /**
   * The notification URL of the subscription, exactly as registered with Square. Default: the
   * request's URL (behind a proxy, make sure it is the public one).
   */
  readonly notificationUrl?: string;
};

/**
 * Square: `x-square-hmacsha256-signature`, base64 HMAC-SHA256 over the notification URL followed
 * by the body, keyed by the subscription's signature key. No signed timestamp (`timestamped:
 * false`); the signed body's `event_id` names and deduplicates the event.
 * https://developer.squareup.com/docs/webhooks/step3validate
 *
 * @example
 * const scheme = square({ secret: process.env.SQUARE_SIGNATURE_KEY, notificationUrl: "https://example.com/webhooks/square" });
 */
export function square(options: SquareOptions): WebhookScheme {
  const resolved = signatureFormat({
    name: "square",
    algorithm: "hmac-sha256",
    signatureHeader: "x-square-hmacsha256-signature",
    encoding: "base64",
    idJsonField: "event_id",
  });
  const { format } = resolved;
  const configured = options?.notificationUrl;
  return formatScheme(
    {
      ...resolved,
      format: {
        ...format,
        async read(incoming) {
          const fields = await format.read(incoming);
          return { ...fields, extra: [utf8(configured ?? incoming.url)] };
        },
        fieldsFor(message) {
          return { ...format.fieldsFor(message), extra: [utf8(urlToSign("square", configured, message.url))] };
        },
        signedContent(fields, body) {
          return [fields.extra?.[0] ?? new Uint8Array(0), body];
        },
      },
    },
    options,
  );
}

export const squareProvider = defineProvider(
  {
    title: "Square",
    algorithm: "hmac-sha256",
    timestamped: false,
    messageId: "event_id in the signed body",
    docs: "https://developer.squareup.com/docs/webhooks/step3validate",
    keys: "secret",
    signsUrl: true,
  },
  square,
);
