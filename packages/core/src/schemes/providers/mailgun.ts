import { WebhookError } from "../../errors/webhook-error.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { decodeHex, encodeHex } from "../../lib/hex.js";
import { decodeUtf8Strict, toBytes, utf8 } from "../../lib/utf8.js";
import { hmacSignature } from "../signature/algorithm.js";
import type { SignatureFormat } from "../signature/fields.js";
import { toUnixSeconds } from "../signature/header-fields.js";
import { jsonObject } from "../signature/json-body.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { OutgoingWebhook, WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** `secret`: the HTTP webhook signing key from Mailgun's dashboard (used as text); `secrets` while it rotates. */
export type MailgunOptions = SecretOptions;

const HMAC_SHA256 = hmacSignature("SHA-256");
const UNIX_SECONDS = /^\d{1,12}$/;
const TOKEN = /^[\x21-\x7e]{1,256}$/;

function checkToken(token: unknown, code: "malformed_body" | "invalid_options"): string {
  if (typeof token !== "string" || !TOKEN.test(token))
    throw new WebhookError(code, "the Mailgun token must be 1-256 visible ASCII characters");
  return token;
}

/** The `signature` object of a Mailgun event body; every refusal is `malformed_body`, never a crash. */
function readSignature(body: Uint8Array) {
  const event = jsonObject(body);
  if (event === undefined) throw new WebhookError("malformed_body", "a Mailgun webhook body is a JSON object");
  const signature = event.signature;
  if (typeof signature !== "object" || signature === null || Array.isArray(signature)) {
    throw new WebhookError("malformed_body", "the Mailgun body has no signature object");
  }
  const { timestamp, token, signature: mac } = signature as Record<string, unknown>;
  if (typeof timestamp !== "string" || !UNIX_SECONDS.test(timestamp))
    throw new WebhookError("malformed_body", "signature.timestamp is not unix seconds");
  const bytes = typeof mac === "string" ? decodeHex(mac) : undefined;
  if (bytes === undefined || bytes.length !== 32)
    throw new WebhookError("malformed_body", "signature.signature is not a hex HMAC-SHA256");
  return { timestamp, token: checkToken(token, "malformed_body"), mac: bytes };
}

// The "headers" this format writes are the fields of the body's signature object (see `encode`).
const mailgunFormat: SignatureFormat = {
  name: "mailgun",
  timestamped: true,
  algorithms: [HMAC_SHA256],
  read(incoming) {
    const { timestamp, token, mac } = readSignature(incoming.body);
    // The token is signed and unique per request: it names and deduplicates the message.
    return { id: token, timestamp, signatures: [[mac]] };
  },
  fieldsFor(message) {
    return { id: checkToken(message.id, "invalid_options"), timestamp: toUnixSeconds(message.timestamp) };
  },
  signedContent(fields) {
    return [fields.timestamp ?? "", fields.id ?? ""];
  },
  write(fields, signatures) {
    return {
      token: fields.id ?? "",
      timestamp: fields.timestamp ?? "",
      signature: encodeHex(signatures[0]?.bytes ?? new Uint8Array(0)),
    };
  },
};

/** The event data a sender passes, as JSON text (spliced into the body unchanged). */
function eventDataText(message: OutgoingWebhook): string {
  const bytes = toBytes(message.body);
  if (jsonObject(bytes) === undefined)
    throw new WebhookError("invalid_options", "a Mailgun body is its event-data: pass a JSON object");
  return decodeUtf8Strict(bytes) as string;
}

/**
 * Mailgun: the signature is inside the JSON body, `{"signature": {"timestamp", "token",
 * "signature"}, "event-data": {...}}`: hex HMAC-SHA256 of `timestamp + token` (no separator)
 * keyed by the HTTP webhook signing key. Mailgun signs only those two fields, not the
 * event data: the token is single use (it names and deduplicates the message, so a captured
 * signature cannot carry other event data once the original was received) and the verifier's
 * window applies to the signed timestamp. Any body that is not such JSON is `malformed_body`.
 *
 * `sign()` cannot express a signature in the body: senders (handler tests) call `encode()`
 * with the event data as the body and the token as the message id.
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 *
 * @example
 * const verifier = createVerifier({ scheme: providers.mailgun.create({ secret: process.env.MAILGUN_WEBHOOK_SIGNING_KEY }) });
 */
export function mailgun(options: MailgunOptions): WebhookScheme {
  const scheme = formatScheme({ format: mailgunFormat, decodeSecret: utf8 }, options);
  return {
    ...scheme,
    async sign() {
      throw new WebhookError(
        "invalid_options",
        "Mailgun signs inside the JSON body: use encode(), which returns the body to send",
      );
    },
    async encode(message) {
      const eventData = eventDataText(message);
      const signature = await scheme.sign(message);
      return {
        headers: { "content-type": "application/json" },
        body: `{"signature":${JSON.stringify(signature)},"event-data":${eventData}}`,
      };
    },
  };
}

export const mailgunProvider = defineProvider(
  {
    title: "Mailgun",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "signature.token in the body (signed; the event data itself is not)",
    docs: "https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks",
    keys: "secret",
  },
  mailgun,
);
