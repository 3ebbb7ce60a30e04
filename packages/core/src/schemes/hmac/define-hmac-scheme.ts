import { cryptoBackend, type HashAlgorithm, type SignedPart } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { type Awaitable, isPromiseLike } from "../../lib/awaitable.js";
import { encodeBase64 } from "../../lib/base64.js";
import { toBytes } from "../../lib/utf8.js";
import { createHmacKeyring, type SecretDecoder } from "../../keys/keyring.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import type { IncomingWebhook, OutgoingWebhook, SchemeVerification, SignedHeaders, WebhookScheme } from "../types.js";

/** The signed fields of one message, as text exactly as they appear on the wire. */
export interface HmacSignedFields {
  /** Message id, if the format carries one. */
  readonly id?: string;
  /** Unix seconds as the sender wrote them (digits only), if the format signs a timestamp. */
  readonly timestamp?: string;
  /** Anything else a format signs (a URL, form parameters), precomputed by `read`. */
  readonly extra?: readonly Uint8Array[];
}

/** What `read` finds in a received webhook: the signed fields and every candidate MAC. */
export interface HmacReceivedFields extends HmacSignedFields {
  readonly signatures: readonly Uint8Array[];
}

/** How a verified message is named and deduplicated. */
export interface HmacIdentity {
  readonly id: string;
  /** Deduplication key when the id is not signed material (GitHub's delivery id is only a header). */
  readonly replayKey?: string;
}

/**
 * A provider's HMAC wire format. Every HMAC scheme (Standard Webhooks, Stripe,
 * GitHub, ...) is one of these over the single verification mechanism below.
 */
export interface HmacFormat {
  readonly name: string;
  readonly timestamped: boolean;
  readonly algorithm: HashAlgorithm;
  readonly decodeSecret: SecretDecoder;
  /** Parses the headers strictly; throws `WebhookError` (missing_header, malformed_header). */
  read(incoming: IncomingWebhook): Awaitable<HmacReceivedFields>;
  /** The fields a sender signs for an outgoing message. */
  fieldsFor(message: OutgoingWebhook): HmacSignedFields;
  /** The exact bytes under the MAC, as parts (text as UTF-8; concatenated only where the backend needs it). */
  signedContent(fields: HmacSignedFields, body: Uint8Array): readonly SignedPart[];
  /**
   * Every content a received message may have been signed over, tried in order
   * (Twilio: the URL with and without its port). Default: `signedContent` alone.
   */
  receivedContents?(fields: HmacReceivedFields, body: Uint8Array): readonly (readonly SignedPart[])[];
  /**
   * Names a verified message from signed material (Stripe: the event id inside the
   * signed body). Default: the signed id, or the MAC itself when the format signs none.
   */
  identify?(fields: HmacReceivedFields, body: Uint8Array, mac: Uint8Array): HmacIdentity;
  /**
   * Checks, once a MAC matched, what the MAC vouches for only indirectly (Twilio: the body
   * through its signed `bodySHA256`); throws `WebhookError` when it does not hold. Work that
   * only matters for an authentic message goes here, so a forged one never pays for it.
   */
  confirm?(incoming: IncomingWebhook): Awaitable<void>;
  /** The headers that carry the fields and the MAC. */
  write(fields: HmacSignedFields, mac: Uint8Array): SignedHeaders;
}

/**
 * Builds a scheme from an HMAC format and secrets: signs with the first key,
 * verifies against every key in constant time, says which key matched.
 */
export function defineHmacScheme(format: HmacFormat, secrets: SecretOptions): WebhookScheme {
  const keyring = createHmacKeyring(secrets, format.algorithm, format.decodeSecret);

  // The node:crypto backend and static keyrings answer synchronously: values are
  // awaited only when they are promises, which keeps this hot path to one promise.
  async function verify(incoming: IncomingWebhook): Promise<SchemeVerification> {
    const read = format.read(incoming);
    const fields = isPromiseLike(read) ? await read : read;
    const found = keyring.keysFor(incoming.tenant);
    const keys = isPromiseLike(found) ? await found : found;
    if (keys.length === 0) throw new WebhookError("invalid_signature", "no keys for this tenant");
    const contents = format.receivedContents?.(fields, incoming.body) ?? [format.signedContent(fields, incoming.body)];
    for (const { id: keyId, key } of keys) {
      for (const content of contents) {
        const mac = cryptoBackend.hmac(key, content);
        const expected = isPromiseLike(mac) ? await mac : mac;
        for (const candidate of fields.signatures) {
          if (cryptoBackend.timingSafeEqual(expected, candidate)) {
            const confirmed = format.confirm?.(incoming);
            if (isPromiseLike(confirmed)) await confirmed;
            // Formats without an id deduplicate on the MAC: it is signed material, unique per message.
            const identity = format.identify?.(fields, incoming.body, expected);
            return {
              id: identity?.id ?? fields.id ?? encodeBase64(expected),
              replayKey: identity?.replayKey,
              timestamp: fields.timestamp === undefined ? undefined : new Date(Number(fields.timestamp) * 1000),
              keyId,
            };
          }
        }
      }
    }
    throw new WebhookError("invalid_signature", `no ${format.name} signature matched any of ${keys.length} key(s)`);
  }

  async function sign(message: OutgoingWebhook): Promise<SignedHeaders> {
    const keys = await keyring.keysFor(message.tenant);
    const first = keys[0];
    if (first === undefined) throw new WebhookError("invalid_options", "no signing key for this tenant");
    const fields = format.fieldsFor(message);
    const mac = await cryptoBackend.hmac(first.key, format.signedContent(fields, toBytes(message.body)));
    return format.write(fields, mac);
  }

  return {
    name: format.name,
    timestamped: format.timestamped,
    verify,
    sign,
    async encode(message) {
      return { headers: await sign(message), body: message.body };
    },
  };
}
