import { WebhookError } from "../../errors/webhook-error.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { jsonObject } from "../signature/json-body.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link linear}: the webhook's signing secret, or several while rotating. */
export type LinearOptions = SecretOptions;

/**
 * Linear: `Linear-Signature`, hex HMAC-SHA256 of the body keyed by the webhook's signing secret.
 * The time of sending is the signed body's `webhookTimestamp` (milliseconds), read once the MAC
 * holds, and the verifier's window applies to it (a body without one is refused as untimed).
 * `Linear-Delivery` names the message; it is not signed, so the MAC deduplicates.
 * https://linear.app/developers/webhooks#securing-webhooks
 *
 * @example
 * const verifier = createVerifier({ scheme: linear({ secret: process.env.LINEAR_WEBHOOK_SECRET }) });
 */
export function linear(options: LinearOptions): WebhookScheme {
  const resolved = signatureFormat({
    name: "linear",
    algorithm: "hmac-sha256",
    signatureHeader: "linear-signature",
    encoding: "hex",
    idHeader: "linear-delivery",
  });
  const { format } = resolved;
  return formatScheme(
    {
      ...resolved,
      format: {
        ...format,
        timestamped: true,
        identify(fields, body, proof) {
          const identity = format.identify?.(fields, body, proof) ?? { id: fields.id ?? "" };
          const at = jsonObject(body)?.webhookTimestamp;
          if (at === undefined) return identity;
          if (typeof at !== "number" || !Number.isSafeInteger(at) || at < 0)
            throw new WebhookError("malformed_body", "webhookTimestamp is not milliseconds");
          return { ...identity, timestamp: new Date(at) };
        },
      },
    },
    options,
  );
}

export const linearProvider = defineProvider(
  {
    title: "Linear",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "Linear-Delivery names it (unsigned: the MAC deduplicates); webhookTimestamp in the signed body",
    docs: "https://linear.app/developers/webhooks#securing-webhooks",
    keys: "secret",
  },
  linear,
);
