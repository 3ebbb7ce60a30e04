import { WEBHOOK_ERROR_MESSAGE, WEBHOOK_ERROR_STATUS, type WebhookErrorCode } from "./codes.js";

/**
 * The one error hooksec throws for a refused webhook.
 *
 * `message` is generic and safe to send back; `detail` and `cause` say what
 * exactly went wrong, for logs only.
 *
 * @example
 * try { await verifier.verify(request) }
 * catch (err) { if (err instanceof WebhookError) return new Response(null, { status: err.status }) }
 */
export class WebhookError extends Error {
  override readonly name = "WebhookError";
  readonly code: WebhookErrorCode;
  readonly status: number;
  /** What exactly failed; never sent on the wire by the adapters. */
  readonly detail: string | undefined;
  /** Set on `rate_limited` (429): adapters send it as the `Retry-After` header. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: WebhookErrorCode, detail?: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(WEBHOOK_ERROR_MESSAGE[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = WEBHOOK_ERROR_STATUS[code];
    this.detail = detail;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** A small JSON body for the response: the code and the generic message, nothing secret. */
  toJSON(): { error: { code: WebhookErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** True for a `WebhookError`, also one from another copy of this package. */
export function isWebhookError(value: unknown): value is WebhookError {
  return (
    value instanceof WebhookError ||
    (typeof value === "object" &&
      value !== null &&
      (value as { name?: unknown }).name === "WebhookError" &&
      typeof (value as { code?: unknown }).code === "string" &&
      typeof (value as { status?: unknown }).status === "number")
  );
}
