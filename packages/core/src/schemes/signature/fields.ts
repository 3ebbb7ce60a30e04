import type { SignedPart } from "#crypto";
import type { Awaitable } from "../../lib/awaitable.js";
import type { IncomingWebhook, OutgoingWebhook, SignedHeaders } from "../types.js";
import type { ResolvedAlgorithm } from "./algorithm.js";

/** The signed fields of one message, as text exactly as they appear on the wire. */
export interface SignedFields {
  /** Message id, if the format carries one. */
  readonly id?: string;
  /** Unix seconds as the sender wrote them (digits only), if the format signs a timestamp. */
  readonly timestamp?: string;
  /** Anything else a format signs (a URL, form parameters), precomputed by `read`. */
  readonly extra?: readonly Uint8Array[];
}

/** What `read` finds in a received webhook: the signed fields and every candidate signature. */
export interface ReceivedFields extends SignedFields {
  /** Candidate signatures, one list per algorithm of the format (same order), decoded for the backend. */
  readonly signatures: readonly (readonly Uint8Array[])[];
  /** The key the message names (a JWT `kid`, PayPal's certificate URL), for keyrings that fetch keys. */
  readonly keyId?: string;
}

/** A signature a sender made with the first signing key of one algorithm, encoded as the format writes it. */
export interface MadeSignature {
  readonly slot: number;
  readonly bytes: Uint8Array;
}

/** How a verified message is named and deduplicated. */
export interface MessageIdentity {
  readonly id: string;
  /** Deduplication key when the id is not signed material (GitHub's delivery id is only a header). */
  readonly replayKey?: string;
  /** The signed time of sending when it is inside the signed body (Linear's `webhookTimestamp`). */
  readonly timestamp?: Date;
}

/**
 * A provider's wire format: where the signature is, how it is written, what it covers, and
 * with which algorithm(s). Every scheme (Standard Webhooks, Stripe, Discord, SendGrid, ...)
 * is one of these over the single verification loop of `defineSignatureScheme`.
 */
export interface SignatureFormat {
  readonly name: string;
  readonly timestamped: boolean;
  /** Usually one; Standard Webhooks has two (`v1` HMAC, `v1a` Ed25519). */
  readonly algorithms: readonly ResolvedAlgorithm[];
  /** Parses the headers strictly; throws `WebhookError` (missing_header, malformed_header). */
  read(incoming: IncomingWebhook): Awaitable<ReceivedFields>;
  /** The fields a sender signs for an outgoing message. */
  fieldsFor(message: OutgoingWebhook): SignedFields;
  /** The exact bytes under the signature, as parts (text as UTF-8; concatenated only where the backend needs it). */
  signedContent(fields: SignedFields, body: Uint8Array): readonly SignedPart[];
  /**
   * Every content a received message may have been signed over, tried in order
   * (Twilio: the URL with and without its port). Default: `signedContent` alone.
   */
  receivedContents?(fields: ReceivedFields, body: Uint8Array): readonly (readonly SignedPart[])[];
  /**
   * Names a verified message from signed material (Stripe: the event id inside the signed
   * body). `proof` is the MAC (HMAC) or the SHA-256 of the signed content (asymmetric: a
   * signature may be randomised or malleable, its content is not). Default: the signed id,
   * or the proof when the format signs none.
   */
  identify?(fields: ReceivedFields, body: Uint8Array, proof: Uint8Array): MessageIdentity;
  /**
   * Checks, once a signature matched, what it vouches for only indirectly (Twilio and Plaid:
   * the body through a signed hash of it); throws `WebhookError` when it does not hold. Work
   * that only matters for an authentic message goes here, so a forged one never pays for it.
   */
  confirm?(incoming: IncomingWebhook, fields: ReceivedFields): Awaitable<void>;
  /** The headers that carry the fields and the signatures. */
  write(fields: SignedFields, signatures: readonly MadeSignature[]): SignedHeaders;
}
