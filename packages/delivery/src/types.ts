import type {
  ClientTls,
  OutboundAuth,
  SsrfOptions,
  TimeoutOptions,
  TransportFactory,
  WebhookScheme,
} from "@hooksec/core";
import type { RedisOptions } from "ioredis";

/** A signing secret of an endpoint; an older one is kept until `expiresAt` after a rotation. */
export interface EndpointSecret {
  readonly secret: string;
  /** Milliseconds since the epoch after which it no longer signs; absent for the current secret. */
  readonly expiresAt?: number;
}

/** What a customer registers: where to send, how to authenticate, which events. */
export interface EndpointInput {
  /** Letters, digits, `_`, `-`, `.`, `~`; generated (`ep_` + random) when absent. */
  readonly id?: string;
  readonly url: string;
  /** Event types this endpoint subscribes to (`publish` fans out to them); `"*"` for all. */
  readonly eventTypes?: readonly string[];
  /** Standard Webhooks `whsec_` secret; generated when absent. */
  readonly secret?: string;
  readonly auth?: OutboundAuth;
  readonly tls?: ClientTls;
  readonly headers?: Readonly<Record<string, string>>;
  /** Passed to a custom scheme for per-tenant keys. */
  readonly tenant?: string;
}

/** An endpoint as stored in Redis (every worker reads it). */
export interface EndpointRecord {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  /** Newest first. */
  readonly secrets: readonly EndpointSecret[];
  readonly auth?: OutboundAuth;
  readonly tls?: ClientTls;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tenant?: string;
  readonly createdAt: number;
}

/** Why an endpoint no longer receives deliveries. */
export type DisabledReason = "gone" | "failing" | "manual";

/** An endpoint as stored, with whether (and why) it is disabled and its circuit's state. */
export interface EndpointStatus {
  readonly endpoint: EndpointRecord;
  readonly disabled?: { readonly reason: DisabledReason; readonly at: number };
  readonly circuit: CircuitSnapshot;
}

/**
 * An endpoint's circuit: `closed` delivers, `open` holds jobs back after repeated failures, `half_open` lets one probe through.
 */
export type CircuitState = "closed" | "open" | "half_open";

/** An endpoint's circuit breaker at one moment: its state and the failure streak behind it. */
export interface CircuitSnapshot {
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** Since when the endpoint has failed without a success in between. */
  readonly failingSince?: number;
  readonly openedAt?: number;
}

/**
 * How one attempt ended, from a small fixed set (safe as a metrics label).
 * `in_progress`: the receiver answered 409 `message_in_progress` (another delivery of the id is running).
 */
export type AttemptOutcomeLabel =
  | "success"
  | "timeout"
  | "dns"
  | "connection_error"
  | "tls_error"
  | "auth_error"
  | "ssrf_blocked"
  | "redirect"
  | "http_4xx"
  | "http_5xx"
  | "rate_limited"
  | "in_progress"
  | "gone";

/** Why a delivery was given up and kept as a dead letter. */
export type DeadLetterReason =
  | "exhausted"
  | "rejected"
  | "gone"
  | "ssrf_blocked"
  | "endpoint_disabled"
  | "endpoint_removed"
  | "stalled";

/** One attempt as the delivery log keeps it. */
export interface AttemptRecord {
  readonly messageId: string;
  readonly endpointId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Milliseconds since the epoch when it started. */
  readonly at: number;
  readonly durationMs: number;
  readonly outcome: AttemptOutcomeLabel;
  readonly status?: number;
  /** The first bytes of the response body (UTF-8, bounded). */
  readonly responseExcerpt?: string;
  /** A short error description when no response came. */
  readonly error?: string;
  /** Milliseconds until the next attempt, when there is one. */
  readonly retryInMs?: number;
}

/** A message given up on for one endpoint (see {@link DeadLetterReason}), kept for `redeliver`. */
export interface DeadLetter {
  readonly messageId: string;
  readonly endpointId: string;
  readonly reason: DeadLetterReason;
  readonly at: number;
  readonly attempts: number;
  readonly eventType?: string;
}

/** Events for every attempt, state change and give-up; every field is bounded (metrics-friendly). */
export type DeliveryEvent =
  | {
      readonly type: "dispatched";
      readonly messageId: string;
      readonly endpointId: string;
      readonly eventType?: string;
      readonly duplicate: boolean;
    }
  | {
      readonly type: "attempt";
      readonly messageId: string;
      readonly endpointId: string;
      readonly attempt: number;
      readonly outcome: AttemptOutcomeLabel;
      readonly status?: number;
      readonly durationMs: number;
      readonly retryInMs?: number;
    }
  | { readonly type: "delivered"; readonly messageId: string; readonly endpointId: string; readonly attempts: number }
  | {
      readonly type: "deferred";
      readonly messageId: string;
      readonly endpointId: string;
      readonly reason: "circuit_open";
      readonly untilMs: number;
    }
  | {
      readonly type: "dead_letter";
      readonly messageId: string;
      readonly endpointId: string;
      readonly reason: DeadLetterReason;
      readonly attempts: number;
    }
  | { readonly type: "circuit"; readonly endpointId: string; readonly from: CircuitState; readonly to: CircuitState }
  | { readonly type: "endpoint_disabled"; readonly endpointId: string; readonly reason: DisabledReason }
  | { readonly type: "endpoint_enabled"; readonly endpointId: string }
  | { readonly type: "redelivered"; readonly messageId: string; readonly endpointId: string };

/**
 * When an endpoint's circuit opens and how it probes again, so a failing endpoint does not take every worker's time.
 */
export interface CircuitOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** Milliseconds the circuit stays open before one probe is let through. Default 60 000. */
  readonly cooldownMs?: number;
  /** Milliseconds a probe holds the half-open circuit before another worker may probe. Default 60 000. */
  readonly probeLeaseMs?: number;
}

/** When failed attempts are retried; a receiver's `Retry-After` is honoured up to `maxRetryAfterMs`. */
export interface RetryScheduleOptions {
  /**
   * Delays after each failed attempt, in milliseconds; attempts in total are one more.
   * Default: the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h after
   * an immediate first attempt).
   */
  readonly delaysMs?: readonly number[];
  /** Each delay is spread by up to this fraction either way. Default 0.1. */
  readonly jitter?: number;
  /** Cap of a delay asked for by `Retry-After` (429, 503, 409 in progress). Default 3 600 000 (1 h). */
  readonly maxRetryAfterMs?: number;
}

/** How long the attempt log and dead letters are kept in Redis. */
export interface RetentionOptions {
  /** Milliseconds the delivery log keeps an attempt. Default 7 days. */
  readonly logMs?: number;
  /** Attempts kept per endpoint in its log (the newest). Default 10 000. */
  readonly logMaxPerEndpoint?: number;
  /** Milliseconds a dead letter (and its failed job) is kept. Default 30 days. */
  readonly deadLetterMs?: number;
}

/** Shared by `createDelivery` and `createDeliveryWorker`: they must agree on these. */
export interface DeliveryConnectionOptions {
  /** ioredis options of the Redis that holds the queue and the endpoint state. */
  readonly connection: RedisOptions;
  /** Queue name (and key namespace). Default `"hooksec-delivery"`. */
  readonly queueName?: string;
  /** Key prefix. Default `"hooksec"`. */
  readonly prefix?: string;
  /** SSRF protection for every endpoint (on by default; only ranges can be allowed). */
  readonly ssrf?: SsrfOptions;
  readonly retry?: RetryScheduleOptions;
  readonly retention?: RetentionOptions;
  /** Receives events; errors it throws are swallowed. */
  readonly onEvent?: (event: DeliveryEvent) => void;
  /** Milliseconds since the epoch. Default `Date.now`. Injectable for tests. */
  readonly now?: () => number;
}

export interface DeliveryOptions extends DeliveryConnectionOptions {
  /** How long an idempotency key (and the finished job that answers it) is kept, in seconds. Default 86 400. */
  readonly idempotencySeconds?: number;
  /** Grace period of a rotated-out secret, in milliseconds. Default 86 400 000 (24 h). */
  readonly secretGraceMs?: number;
}

export interface DeliveryWorkerOptions extends DeliveryConnectionOptions {
  /** Jobs one worker process runs at once. Default 16. */
  readonly concurrency?: number;
  readonly circuit?: CircuitOptions;
  /** Milliseconds of continuous failure after which an endpoint is disabled. Default 5 days. */
  readonly disableAfterMs?: number;
  /** Sender timeouts (connect, total per attempt). */
  readonly timeouts?: TimeoutOptions;
  /** Default: the core's Node transport (undici, address pinned and checked at connect time). */
  readonly transport?: TransportFactory;
  /** Signing scheme per endpoint. Default: Standard Webhooks with the endpoint's live secrets (all of them sign). */
  readonly scheme?: (endpoint: EndpointRecord, secrets: readonly string[]) => WebhookScheme;
  /** Characters of a response body kept in the log, from its first 512 bytes (the sender's excerpt). Default 512. */
  readonly responseExcerptBytes?: number;
  /** Milliseconds a worker's lock on a job lasts before it counts as stalled. Default 30 000. */
  readonly lockDurationMs?: number;
  /** How often workers look for stalled jobs. Default 30 000. */
  readonly stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it is dead-lettered. Default 10. */
  readonly maxStalledCount?: number;
  /** A number in [0, 1) for jitter. Default `Math.random`. */
  readonly random?: () => number;
}
