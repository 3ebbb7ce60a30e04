import type { HeaderReader } from "../lib/headers.js";

/** A webhook to sign or deliver. Bytes are signed exactly as given; a string as its UTF-8. */
export interface OutgoingWebhook {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: Uint8Array | string;
  /** The endpoint URL, for schemes that sign it (Twilio). */
  readonly url?: string;
  /** The receiving tenant, for schemes whose keys are looked up per tenant. */
  readonly tenant?: string;
}

/** Headers a scheme adds to a delivery, as a plain object. */
export type SignedHeaders = Record<string, string>;

/** A complete delivery: some schemes (JWS, JWE) replace the body itself. */
export interface EncodedWebhook {
  readonly headers: SignedHeaders;
  readonly body: Uint8Array | string;
}

/** What a scheme sees of a received webhook: raw bytes, never a re-serialised body. */
export interface IncomingWebhook {
  readonly method: string;
  readonly url: string;
  readonly header: HeaderReader;
  readonly body: Uint8Array;
  /** The tenant established by the access checks (client certificate), if any. */
  readonly tenant: string | undefined;
  /** The verifier's clock (ms since the epoch) for this message, for schemes that check times themselves (JWT `exp`/`nbf`). */
  readonly now?: number;
}

/** A scheme's verdict on a webhook whose signature is valid. */
export interface SchemeVerification {
  /** The message id the sender signed (or one derived from signed material). */
  readonly id: string;
  /** The signed time of sending; `undefined` for schemes that sign none (GitHub, Shopify). */
  readonly timestamp: Date | undefined;
  /** Which key of the keyring matched. */
  readonly keyId: string | undefined;
  /** The authenticated payload when it differs from the raw body (JWS claims, JWE plaintext). */
  readonly payload?: Uint8Array;
  /** Deduplication key when it is not the id (always signed material). */
  readonly replayKey?: string;
}

/**
 * One value that both signs and verifies a webhook format.
 *
 * @example
 * const scheme = standardWebhooks({ secret: "whsec_..." });
 * const headers = await scheme.sign({ id: "msg_1", timestamp: new Date(), body: "{}" });
 */
export interface WebhookScheme {
  /** Stable name, used in events, errors and replay keys ("standard-webhooks", "stripe", ...). */
  readonly name: string;
  /** Whether the signature covers a timestamp; without one, freshness cannot be checked. */
  readonly timestamped: boolean;
  /** Checks the signature; throws `WebhookError` when it does not hold. */
  verify(incoming: IncomingWebhook): Promise<SchemeVerification>;
  /** The signature headers for a message whose body is sent unchanged. */
  sign(message: OutgoingWebhook): Promise<SignedHeaders>;
  /** The full delivery: headers and the body to send (changed by JWS/JWE). */
  encode(message: OutgoingWebhook): Promise<EncodedWebhook>;
}
