import { SETUP_ERROR_CODES, WEBHOOK_ERROR_MESSAGE, WEBHOOK_ERROR_STATUS, type WebhookErrorCode } from "./codes.js";

/**
 * The one error hooksec throws for a refused webhook.
 *
 * For refusals of a request, `message` is generic and safe to send back; `detail`
 * and `cause` say what exactly went wrong, for logs only. For setup mistakes
 * (`isSetupError`: `invalid_options`, `body_already_consumed`) `message` also
 * carries the detail, which names the fix; `toJSON()` stays generic for the wire.
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
  /** Set on `rate_limited` (429) and `message_in_progress` (409): adapters send it as the `Retry-After` header. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: WebhookErrorCode, detail?: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    const generic = WEBHOOK_ERROR_MESSAGE[code];
    const message = detail !== undefined && SETUP_ERROR_CODES.has(code) ? `${generic}: ${detail}` : generic;
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = WEBHOOK_ERROR_STATUS[code];
    this.detail = detail;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** A setup mistake (the message names the fix), not a refusal of hostile input. */
  get isSetupError(): boolean {
    return SETUP_ERROR_CODES.has(this.code);
  }

  /** A small JSON body for the response: the code and the generic message, nothing secret. */
  toJSON(): { error: { code: WebhookErrorCode; message: string } } {
    return { error: { code: this.code, message: WEBHOOK_ERROR_MESSAGE[this.code] } };
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
