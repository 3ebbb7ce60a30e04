import type { WebhookErrorCode } from "../errors/codes.js";
import type { HeaderSource } from "../lib/headers.js";
import type { ReplayStore } from "../replay/replay-store.js";
import type { WebhookScheme } from "../schemes/types.js";
import type { IdentityOptions } from "../identity/identity-options.js";
import type { RateLimitOptions } from "../identity/rate-limit.js";

/** What the adapter knows about the connection the request came on. */
export interface ConnectionInfo {
  /** The immediate peer's IP address (the proxy's, behind a reverse proxy). */
  readonly remoteAddress?: string;
  /** The TLS client certificate when this process terminates TLS: DER bytes or PEM. */
  readonly peerCertificate?: Uint8Array | string;
  /** Whether the TLS stack verified that certificate against the configured CA. */
  readonly peerCertificateVerified?: boolean;
}

/** A request as an adapter already has it: no `Request` needs to be built. */
export interface WebhookParts {
  readonly method: string;
  /** Absolute URL of the request (some schemes sign it). */
  readonly url: string;
  readonly headers: HeaderSource;
  /** The raw body bytes exactly as received. */
  readonly body: Uint8Array;
  readonly connection?: ConnectionInfo;
}

/** Bounds on a signed timestamp, in seconds, checked separately into the past and the future. */
export interface ToleranceOptions {
  /** How old a message may be. Default 300 (5 minutes). */
  readonly pastSeconds?: number;
  /** How far ahead a sender's clock may be. Default 60. */
  readonly futureSeconds?: number;
}

/**
 * Replay protection: where processing states live, how long a processed id is remembered, and how long a handler holds its lease.
 */
export interface ReplayOptions {
  /** Where message states are kept. Default: a bounded in-memory store (one process only). */
  readonly store?: ReplayStore;
  /**
   * The idempotency horizon: how long a processed message id is remembered, so a
   * sender's late retry (hours or days later, with a fresh signature) is
   * acknowledged without running the handler again. Default 259 200 (72 hours);
   * never shorter than the replay window.
   */
  readonly retainSeconds?: number;
  /**
   * The processing lease, renewed while the handler runs: a receiver that dies
   * mid-handler gives the message back after at most this long. Default 30.
   */
  readonly leaseSeconds?: number;
  /**
   * Keeps this receiver's message ids apart from other receivers sharing the
   * store. Default: the request URL's path, so two webhook routes never share
   * ids (set it when one receiver is served under several paths).
   */
  readonly namespace?: string;
  /**
   * For `verify()`: `"report"` (default) returns a processed message with `duplicate: true`;
   * `"reject"` throws `duplicate_message` (409). The receive lifecycle always acknowledges
   * processed messages with 200, so it refuses `"reject"`.
   */
  readonly duplicates?: "report" | "reject";
}

/** What an event reports: one per outcome of a received webhook. */
export type WebhookEventType =
  /** Verified and claimed: the handler may run. */
  | "verified"
  /** Already processed: acknowledged, the handler does not run. */
  | "duplicate"
  /** Another delivery of the message is being processed: answered 409 with `Retry-After`. */
  | "in_progress"
  /** Refused (see `code`). */
  | "rejected"
  /** The handler succeeded and the message is remembered as processed. */
  | "completed"
  /** The handler failed (threw or answered 5xx): see `error` or `status`. */
  | "handler_failed"
  /** The claim was given back after a failure, so the sender's retry is processed. */
  | "released"
  /** The lease lapsed and another delivery claimed or completed the message (a handler overran its lease). */
  | "lease_lost"
  /** A processed message past its replay window was forgotten early to make room (in-memory store). */
  | "evicted";

/** One outcome, for logs and metrics. */
export interface WebhookEvent {
  readonly type: WebhookEventType;
  readonly scheme: string;
  /** Time from the request's arrival to this outcome (0 for outcomes after the handler). */
  readonly durationMs: number;
  readonly id?: string;
  readonly keyId?: string;
  readonly tenant?: string;
  /** The client's address (behind trusted proxies: from `X-Forwarded-For`), when known. */
  readonly clientIp?: string;
  /** The client certificate's subject (canonical RFC 4514), when one was presented. */
  readonly certificateSubject?: string;
  /** Whole days until the client certificate expires: alert on it before deliveries stop. */
  readonly daysUntilExpiry?: number;
  /** Set on `rate_limited` and `in_progress`: seconds until the caller may try again (the `Retry-After` header). */
  readonly retryAfterSeconds?: number;
  /** Set on rejections. */
  readonly code?: WebhookErrorCode;
  /** The HTTP status answered (rejections; a handler's 5xx on `handler_failed`). */
  readonly status?: number;
  /** What exactly failed; for logs, never for the wire. */
  readonly detail?: string;
  /** The refusal, or what the handler threw. */
  readonly error?: unknown;
}

/**
 * Options of {@link createVerifier}: the scheme, plus time window, replay, identity and limits, each with a safe default.
 */
export interface VerifierOptions {
  /** How messages are signed: `standardWebhooks(...)`, a provider preset, `jws(...)`... */
  readonly scheme: WebhookScheme;
  readonly tolerance?: ToleranceOptions;
  /** Replay protection; on by default. `false` turns it off (not recommended). */
  readonly replay?: ReplayOptions | false;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Receives every outcome (see `WebhookEventType`). What it returns is ignored; errors it throws are swallowed. */
  readonly onEvent?: (event: WebhookEvent) => unknown;
  /** Milliseconds since the epoch; injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
  /** Client certificate to tenant (direct TLS or trusted proxy headers). Off by default. */
  readonly identity?: IdentityOptions;
  /** Client IPs allowed to call (IPv4/IPv6 CIDRs or addresses); refused with `forbidden_ip`. Default: any. */
  readonly allowlist?: readonly string[];
  /**
   * Reverse proxies whose client-certificate and `X-Forwarded-For` headers are believed
   * (CIDRs or addresses). Those headers from any other peer are refused with `untrusted_proxy`.
   */
  readonly trustedProxies?: readonly string[];
  /** Requests per tenant or client IP; over it `rate_limited` (429) with `retryAfterSeconds`. Off by default. */
  readonly rateLimit?: RateLimitOptions;
}
