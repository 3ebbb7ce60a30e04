import type { HeaderSource } from "../lib/headers.js";
import type { BodySource } from "../lib/read-body.js";
import type { Awaitable } from "../lib/awaitable.js";
import type { WebhookError } from "../errors/webhook-error.js";
import type { ConnectionInfo, VerifierOptions } from "../verifier/types.js";
import type { VerifiedWebhook } from "../verifier/verified-webhook.js";

/** A receiver is configured like a verifier: scheme, tolerance, replay (store, retainSeconds, leaseSeconds), identity... */
export type ReceiverOptions = VerifierOptions;

/**
 * What an adapter knows when a body parser already read the body: the bytes that
 * were signed are gone. `fix` says how to mount the webhook route so it is not.
 */
export interface ConsumedBody {
  readonly consumed: true;
  readonly fix: string;
}

/** A request as a framework has it: headers, and the body still unread. */
export interface ReceiveParts {
  readonly method: string;
  /** Absolute URL of the request (some schemes sign it; its path namespaces replay keys). */
  readonly url: string;
  readonly headers: HeaderSource;
  /** The raw body: bytes, a Web stream, or an async iterable (a Node `IncomingMessage`). Read once, within the limit. */
  readonly body: BodySource | ConsumedBody;
  readonly connection?: ConnectionInfo;
}

/** A standard `Request`, or the parts of one. */
export type ReceiveInput = Request | ReceiveParts;

/** Framework-neutral HTTP answer for anything but a processed webhook. */
export interface WebhookResponse {
  readonly status: number;
  /** `retry-after` on 409 and 429. */
  readonly headers: Readonly<Record<string, string>>;
  /** `{ error: { code, message } }` for refusals, `{ duplicate: true, id }` for an already processed message. */
  readonly body:
    | { readonly error: { readonly code: string; readonly message: string } }
    | { readonly duplicate: true; readonly id: string };
  /**
   * The rest of the request was not read (a body over the limit): close the
   * connection once this response is sent, rather than read on.
   */
  readonly closeConnection: boolean;
}

/** How one delivery ended, as the adapter turns it into the framework's response. */
export type ReceiveOutcome<R> =
  /** The handler ran; send its result (a 5xx result released the message for the sender's retry). */
  | { readonly handled: true; readonly webhook: VerifiedWebhook; readonly result: R }
  /** Refused, a duplicate, in progress elsewhere, or a handler that threw a `WebhookError`: send `response`. */
  | {
      readonly handled: false;
      readonly response: WebhookResponse;
      readonly webhook?: VerifiedWebhook;
      readonly error?: WebhookError;
    };

/** A delivery admitted to processing: its lease is held (and renewed) until `finish`. */
export interface AdmittedDelivery {
  readonly admitted: true;
  readonly webhook: VerifiedWebhook;
  /**
   * Ends processing: with no failure the message is completed (later deliveries
   * are duplicates); with one it is released (the next retry runs). Never throws.
   */
  finish(failure?: HandlerFailure): Promise<void>;
}

/** A delivery that is not to be processed: answer `response`. */
export interface RefusedDelivery {
  readonly admitted: false;
  readonly handled: false;
  readonly response: WebhookResponse;
  readonly webhook?: VerifiedWebhook;
  readonly error?: WebhookError;
}

/** Why a handler is taken to have failed: it threw `error`, or answered `status` (5xx). */
export interface HandlerFailure {
  readonly error?: unknown;
  readonly status?: number;
}

/**
 * The app's handler: runs once per message id, with the processing lease held; may return a value or a promise of it.
 */
export type WebhookHandlerFunction<R> = (webhook: VerifiedWebhook) => Awaitable<R>;

/** Per-call options of `receiver.receive()`: how to tell a failed handler run from a successful one. */
export interface ReceiveOptions<R> {
  /** Whether a result means the handler failed. Default: a `status` of 500 or more (a `Response`, a Koa context...). */
  readonly failed?: (result: R) => boolean;
}
