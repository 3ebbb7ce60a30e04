import { WebhookError } from "../errors/webhook-error.js";
import type { ClientCertificateInfo } from "../identity/tenants.js";
import { decodeUtf8, decodeUtf8Strict } from "../lib/utf8.js";
import type { MessageLease } from "./message-lease.js";

/**
 * A webhook whose signature, freshness and uniqueness were checked.
 * `body` is the authenticated payload as bytes; `json()` parses it once.
 *
 * Unless it is a `duplicate`, it holds the message's processing lease. With an
 * adapter or `receiver.receive()` that is handled for you. With `verify()`,
 * call `complete()` once your processing succeeded (later deliveries are then
 * acknowledged as duplicates for `retainSeconds`) or `release()` when it failed
 * (the sender's next retry is processed). If you call neither, the lease lapses
 * after `leaseSeconds` and the next retry is processed again: never lost, but
 * possibly processed twice. Work longer than the lease: call `renewLease()`.
 */
export class VerifiedWebhook {
  /** The message id the sender signed. */
  readonly id: string;
  /** When the sender signed it; `undefined` for schemes that sign no timestamp (see `timestamped`). */
  readonly timestamp: Date | undefined;
  readonly body: Uint8Array;
  readonly scheme: string;
  /** Whether freshness was checked: `false` for GitHub and Shopify, which sign no time. */
  readonly timestamped: boolean;
  readonly keyId: string | undefined;
  readonly tenant: string | undefined;
  /** The client's address as the access step resolved it (behind trusted proxies: from `X-Forwarded-For`). */
  readonly clientIp: string | undefined;
  /** The client certificate that named the tenant: subject, fingerprint, `daysUntilExpiry`. */
  readonly certificate: ClientCertificateInfo | undefined;
  /** The message was already processed: acknowledge it without processing it again. */
  readonly duplicate: boolean;
  readonly #lease: MessageLease;
  #parsed: { value: unknown } | undefined;

  /** @internal Built by the verifier, which holds the lease; apps receive instances, they do not create them. */
  constructor(fields: {
    id: string;
    timestamp: Date | undefined;
    body: Uint8Array;
    scheme: string;
    timestamped: boolean;
    keyId: string | undefined;
    tenant: string | undefined;
    duplicate: boolean;
    lease: MessageLease;
    clientIp?: string | undefined;
    certificate?: ClientCertificateInfo | undefined;
  }) {
    this.id = fields.id;
    this.timestamp = fields.timestamp;
    this.body = fields.body;
    this.scheme = fields.scheme;
    this.timestamped = fields.timestamped;
    this.keyId = fields.keyId;
    this.tenant = fields.tenant;
    this.clientIp = fields.clientIp;
    this.certificate = fields.certificate;
    this.duplicate = fields.duplicate;
    this.#lease = fields.lease;
  }

  /** The body as text (invalid UTF-8 replaced, like `Response.text()`). */
  text(): string {
    return decodeUtf8(this.body);
  }

  /** The body parsed as JSON; throws `malformed_body` (400) when it is not UTF-8 JSON. */
  json<T = unknown>(): T {
    if (this.#parsed === undefined) {
      const text = decodeUtf8Strict(this.body);
      if (text === undefined) throw new WebhookError("malformed_body", "body is not valid UTF-8");
      try {
        this.#parsed = { value: JSON.parse(text) };
      } catch (cause) {
        throw new WebhookError("malformed_body", "body is not valid JSON", { cause });
      }
    }
    return this.#parsed.value as T;
  }

  /**
   * Records the message as processed, so later deliveries are acknowledged
   * without processing. Resolves `false` when the lease had lapsed and another
   * delivery claimed the message meanwhile. Throws `replay_store_unavailable`.
   */
  complete(): Promise<boolean> {
    return this.#lease.complete();
  }

  /** Gives the message back after a failed processing, so the sender's retry is processed. */
  release(): Promise<void> {
    return this.#lease.release();
  }

  /** Extends the processing lease by `leaseSeconds`; `false` when it was already lost. */
  renewLease(): Promise<boolean> {
    return this.#lease.renew();
  }
}
