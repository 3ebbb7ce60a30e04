import { WebhookError } from "../../errors/webhook-error.js";
import { encodeBase64 } from "../../lib/base64.js";
import { decodeHex, encodeHex } from "../../lib/hex.js";
import { decodeUtf8Strict, utf8 } from "../../lib/utf8.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { defineHmacScheme, type HmacFormat } from "../hmac/define-hmac-scheme.js";
import { parseUnixSeconds, requireHeader, toUnixSeconds } from "../hmac/fields.js";
import type { WebhookScheme } from "../types.js";

export type StripeOptions = SecretOptions;

const HEADER = "stripe-signature";
const MAX_ENTRIES = 32;
const ENTRY = /^([a-z][a-z0-9]*)=([\x21-\x2b\x2d-\x7e]+)$/;

/** `t=<unix>,v1=<hex>[,v1=<hex>...]`: exactly one `t`; other schemes (v0) are skipped but must be well formed. */
function parseStripeHeader(value: string): { timestamp: string; signatures: Uint8Array[] } {
  const entries = value.split(",");
  if (entries.length > MAX_ENTRIES) throw new WebhookError("malformed_header", `more than ${MAX_ENTRIES} entries in ${HEADER}`);
  let timestamp: string | undefined;
  const signatures: Uint8Array[] = [];
  for (const entry of entries) {
    const match = ENTRY.exec(entry);
    if (match === null) throw new WebhookError("malformed_header", `${HEADER} entry is not key=value`);
    const [, key, text] = match as unknown as [string, string, string];
    if (key === "t") {
      if (timestamp !== undefined) throw new WebhookError("malformed_header", `${HEADER} has several timestamps`);
      timestamp = parseUnixSeconds(text, HEADER);
    } else if (key === "v1") {
      const mac = decodeHex(text);
      if (mac === undefined || mac.length !== 32) throw new WebhookError("malformed_header", `${HEADER} v1 is not 32 bytes of hex`);
      signatures.push(mac);
    }
  }
  if (timestamp === undefined) throw new WebhookError("malformed_header", `${HEADER} has no timestamp`);
  return { timestamp, signatures };
}

/** Stripe events carry their id in the signed body; a body without one is named by its MAC. */
function eventIdOf(body: Uint8Array): string | undefined {
  const text = decodeUtf8Strict(body);
  if (text === undefined) return undefined;
  try {
    const event: unknown = JSON.parse(text);
    if (typeof event === "object" && event !== null && !Array.isArray(event)) {
      const id = (event as { id?: unknown }).id;
      if (typeof id === "string" && id.length > 0 && id.length <= 256) return id;
    }
  } catch {
    // not JSON: fall back to the MAC
  }
  return undefined;
}

const stripeFormat: HmacFormat = {
  name: "stripe",
  timestamped: true,
  algorithm: "SHA-256",
  // The whole `whsec_...` string is the key, as Stripe's SDKs use it.
  decodeSecret: utf8,
  read(incoming) {
    return parseStripeHeader(requireHeader(incoming.header, HEADER));
  },
  fieldsFor(message) {
    return { timestamp: toUnixSeconds(message.timestamp) };
  },
  signedContent(fields, body) {
    return [utf8(`${fields.timestamp}.`), body];
  },
  identify(_fields, body, mac) {
    // The body is signed, so its event id is signed material: Stripe's retries share it.
    return { id: eventIdOf(body) ?? encodeBase64(mac) };
  },
  write(fields, mac) {
    return { [HEADER]: `t=${fields.timestamp},v1=${encodeHex(mac)}` };
  },
};

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>` (several `v1` accepted during a
 * secret roll), HMAC-SHA256 over `t.body` keyed by the whole `whsec_...` string.
 * The message id is the event's `id` from the signed body.
 *
 * @example
 * const verifier = createVerifier({ scheme: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }) });
 */
export function stripe(options: StripeOptions): WebhookScheme {
  return defineHmacScheme(stripeFormat, options);
}
