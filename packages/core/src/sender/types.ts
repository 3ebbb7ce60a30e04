import type { WebhookScheme } from "../schemes/types.js";
import type { AddressGuard, SsrfOptions } from "./ssrf/address-guard.js";

/** How the sender proves itself to one endpoint, as that customer chose. */
export type OutboundAuth =
  /** A static key in a named header, e.g. `{ type: "api-key", header: "x-api-key", key }`. */
  | { readonly type: "api-key"; readonly header: string; readonly key: string }
  /** HTTP Basic with `client_id:client_secret`. */
  | { readonly type: "basic"; readonly clientId: string; readonly clientSecret: string }
  /** A static Bearer token. */
  | { readonly type: "bearer"; readonly token: string }
  /**
   * OAuth 2.0 client credentials grant (RFC 6749 §4.4): a token from `tokenUrl`, cached until
   * shortly before it expires, one refresh in flight at a time, refreshed once after a 401.
   */
  | {
      readonly type: "oauth2";
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly clientSecret: string;
      readonly scope?: string;
      /** `audience` parameter some providers require (Auth0). */
      readonly audience?: string;
      /** How the client authenticates to the token endpoint: `"basic"` (default) or `"post"` (form fields). */
      readonly clientAuthentication?: "basic" | "post";
      /** TLS for the token endpoint (its CA, a client certificate); Node.js only like `Endpoint.tls`. */
      readonly tls?: ClientTls;
    };

/**
 * A client certificate to present, and the CA the receiver's certificate must chain to.
 * Node.js only (the `undici` transport); other runtimes' `fetch` cannot present one and
 * the sender refuses the endpoint there with `invalid_options`.
 */
export interface ClientTls {
  /** PEM client certificate (chain). */
  readonly cert?: string;
  /** PEM private key of `cert`. */
  readonly key?: string;
  readonly passphrase?: string;
  /** PEM CA certificate(s) that replace the system roots for this endpoint (pinning). */
  readonly ca?: string | readonly string[];
}

/** Where a webhook goes and how the sender authenticates there. */
export interface Endpoint {
  readonly url: string;
  /** Passed to the scheme, for per-tenant signing keys. */
  readonly tenant?: string;
  readonly auth?: OutboundAuth;
  readonly tls?: ClientTls;
  /** Extra headers (never overriding the signature or authorization headers). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One HTTP request, as a transport sends it. */
export interface TransportRequest {
  readonly url: URL;
  readonly method: "POST";
  readonly headers: Headers;
  readonly body: Uint8Array | string;
  /** Aborts the attempt when the total timeout passes. */
  readonly signal: AbortSignal;
  readonly tls: ClientTls | undefined;
}

/** A response with its body read up to a small limit (a webhook receiver's answer is not data). */
export interface TransportResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** Sends requests; must connect only to addresses the guard accepts and must not follow redirects. */
export interface Transport {
  readonly name: string;
  /** Makes one HTTP request without following redirects; rejects on a network error, a timeout or a refused address. */
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

/** What a transport is built with: the sender's SSRF guard and connect timeout. */
export interface TransportContext {
  readonly guard: AddressGuard;
  readonly connectTimeoutMs: number;
}

/** Builds a transport; `createNodeTransport()` and `createFetchTransport()` return one. */
export type TransportFactory = (context: TransportContext) => Transport;

/** When and how often to try again. */
export interface RetryOptions {
  /** Attempts in total, the first included. Default 5. */
  readonly attempts?: number;
  /** Base of the exponential backoff, in milliseconds. Default 1000. */
  readonly baseDelayMs?: number;
  /** Cap of one backoff delay. Default 60 000. */
  readonly maxDelayMs?: number;
  /** Cap of a delay asked for by `Retry-After`. Default 300 000 (5 minutes). */
  readonly maxRetryAfterMs?: number;
}

/** How long one attempt may take; a timed-out attempt is retried like a network error. */
export interface TimeoutOptions {
  /** Milliseconds to establish the connection (TCP and TLS). Default 5 000. Node transport only. */
  readonly connectMs?: number;
  /** Milliseconds for one attempt from start to the response headers and body. Default 15 000. */
  readonly totalMs?: number;
}

/** Why an attempt ended as it did. */
export type AttemptOutcome =
  | "delivered"
  | "gone"
  /** 429, 5xx, 408, a network error or timeout: retried while attempts remain. */
  | "retryable"
  /** A 401 with OAuth2: retried at once with a fresh token. */
  | "unauthorized"
  /** A 3xx: never followed. */
  | "redirect"
  /** Any other 4xx: not retried. */
  | "rejected";

/** Reported to `onAttempt` after every attempt. */
export interface AttemptEvent {
  readonly id: string;
  readonly url: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly outcome: AttemptOutcome;
  /** HTTP status, when a response came. */
  readonly status?: number;
  /** Network error, timeout, or token endpoint failure. */
  readonly error?: unknown;
  readonly durationMs: number;
  /** Milliseconds until the next attempt, when there is one. */
  readonly retryInMs?: number;
}

/** The end of one `send`. */
export interface DeliveryResult {
  /** `gone` (410): the receiver removed the endpoint, disable it. */
  readonly status: "delivered" | "failed" | "gone";
  /** The message id, the same on every attempt. */
  readonly id: string;
  readonly attempts: number;
  /** The last HTTP status received, if any. */
  readonly lastStatus?: number;
  /** The last network or token error, if the last attempt had no usable response. */
  readonly error?: unknown;
  /** The last response's `Retry-After` header, as sent (parse it with `parseRetryAfter`). */
  readonly retryAfter?: string;
  /** The start of the last response's body (at most 512 bytes, as UTF-8), for delivery logs. */
  readonly responseExcerpt?: string;
}

/**
 * Options of {@link createSender}: the scheme, SSRF protection, retries, timeouts and transport, each with a safe default.
 */
export interface SenderOptions {
  /**
   * How payloads are signed or encrypted: `standardWebhooks(...)`, `jws(...)`, `jwe(...)`...
   * Optional when every `send` passes its own (one sender for many endpoints, each with its key).
   */
  readonly scheme?: WebhookScheme;
  /** SSRF protection; on by default. There is no way to turn it off, only to allow ranges. */
  readonly ssrf?: SsrfOptions;
  readonly retry?: RetryOptions;
  readonly timeouts?: TimeoutOptions;
  /** Default: undici with a pinned, checked address on Node.js; `fetch` with literal-IP checks elsewhere. */
  readonly transport?: TransportFactory;
  /** Content type of payloads the scheme leaves unchanged. Default `application/json`. */
  readonly contentType?: string;
  /** Receives every attempt. Errors it throws are swallowed. */
  readonly onAttempt?: (event: AttemptEvent) => void | Promise<void>;
  /** Milliseconds since the epoch, for timestamps and token expiry. Default `Date.now`. */
  readonly now?: () => number;
  /** Waits between attempts. Default `setTimeout`. Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for jitter. Default `Math.random`. */
  readonly random?: () => number;
}

/** Per-delivery options of `sender.send()`. */
export interface SendOptions {
  /** Message id; generated (`msg_` + 128 random bits) when absent. Kept across retries. */
  readonly id?: string;
  /** Signs this delivery with another scheme than the sender's (one sender, one connection pool, a key per endpoint). */
  readonly scheme?: WebhookScheme;
}

/** Signs and delivers webhooks once each, with retries; built by {@link createSender}. */
export interface Sender {
  /**
   * Signs and delivers one webhook, retrying as the policy says. Resolves with the
   * outcome; throws `WebhookError` only for an endpoint that must never be sent to
   * (`invalid_endpoint`, `ssrf_blocked`) or a setup error (`invalid_options`).
   */
  send(endpoint: Endpoint, payload: unknown, options?: SendOptions): Promise<DeliveryResult>;
  /**
   * The checks `send` makes before it connects (URL, `https:` unless `allowHttp`, no
   * credentials in the URL, an IP literal SSRF protection refuses, the auth's shape),
   * without sending: throws their `WebhookError` (`invalid_endpoint`, `ssrf_blocked`,
   * `invalid_options`). Names are resolved (and checked) only when sending.
   */
  check(endpoint: Endpoint): URL;
  /** Closes the transport's pooled connections. */
  close(): Promise<void>;
}
