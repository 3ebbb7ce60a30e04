import type { AsymmetricKeyOptions } from "../../keys/signature-keyring.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** `publicKey`: the verification key from the Event Webhook settings (base64 DER, as SendGrid shows it). */
export type SendgridOptions = AsymmetricKeyOptions;

/**
 * SendGrid signed Event Webhook: ECDSA P-256 / SHA-256 over `{timestamp}{body}`, the DER
 * signature base64 in `X-Twilio-Email-Event-Webhook-Signature`, unix seconds in
 * `X-Twilio-Email-Event-Webhook-Timestamp`. The verifier's window applies; the batch (a JSON
 * array of events, each with its `sg_event_id`) is deduplicated on the SHA-256 of the signed content.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
 *
 * @example
 * const verifier = createVerifier({ scheme: sendgrid({ publicKey: process.env.SENDGRID_WEBHOOK_PUBLIC_KEY }) });
 */
export function sendgrid(options: SendgridOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "sendgrid",
      algorithm: "ecdsa-p256-sha256",
      signatureEncoding: "der",
      signatureHeader: "x-twilio-email-event-webhook-signature",
      encoding: "base64",
      timestampHeader: "x-twilio-email-event-webhook-timestamp",
      signedContent: "{timestamp}{body}",
    }),
    options,
    "base64",
  );
}

export const sendgridProvider = defineProvider(
  {
    title: "SendGrid (Twilio) Event Webhook",
    algorithm: "ecdsa-p256-sha256",
    timestamped: true,
    messageId: "SHA-256 of the signed content (each event carries sg_event_id)",
    docs: "https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features",
    keys: "public-key",
  },
  sendgrid,
);
