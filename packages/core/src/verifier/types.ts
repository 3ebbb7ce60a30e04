import type { WebhookErrorCode } from "../errors/codes.js";
import type { WebhookError } from "../errors/webhook-error.js";
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

export interface ReplayOptions {
  /** Where claims are kept. Default: a bounded in-memory store (one process only). */
  readonly store?: ReplayStore;
  /** How long a message id stays claimed. Default: the tolerance window plus a minute, or 24 hours for schemes without a timestamp. */
  readonly ttlSeconds?: number;
  /** `"report"` (default) returns the webhook with `duplicate: true`; `"reject"` throws `duplicate_message` (409). */
  readonly duplicates?: "report" | "reject";
}

/** One verification outcome, for logs and metrics. */
export interface WebhookEvent {
  readonly type: "verified" | "duplicate" | "rejected";
  readonly scheme: string;
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
  /** Set on `rate_limited`: seconds until the caller may try again (the `Retry-After` header). */
  readonly retryAfterSeconds?: number;
  /** Set on rejections. */
  readonly code?: WebhookErrorCode;
  readonly status?: number;
  /** What exactly failed; for logs, never for the wire. */
  readonly detail?: string;
  readonly error?: WebhookError;
}

export interface VerifierOptions {
  /** How messages are signed: `standardWebhooks(...)`, a provider preset, `jws(...)`... */
  readonly scheme: WebhookScheme;
  readonly tolerance?: ToleranceOptions;
  /** Replay protection; on by default. `false` turns it off (not recommended). */
  readonly replay?: ReplayOptions | false;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Receives every verification and rejection. Errors it throws are swallowed. */
  readonly onEvent?: (event: WebhookEvent) => void | Promise<void>;
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
