import type { WebhookError } from "../errors/webhook-error.js";
import type { WebhookResponse } from "./types.js";

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * A refusal on the wire: its status, the small generic JSON body, `Retry-After`
 * (whole seconds, rounded up) when the caller should come back, and
 * `closeConnection` when the body was left unread (the adapter closes it: on
 * Node.js with `closeWhenSent`, elsewhere with a `connection: close` header).
 */
export function refusalResponse(error: WebhookError): WebhookResponse {
  const closeConnection = error.code === "body_too_large";
  const headers =
    error.retryAfterSeconds === undefined ? NO_HEADERS : { "retry-after": String(Math.ceil(error.retryAfterSeconds)) };
  return { status: error.status, headers, body: error.toJSON(), closeConnection };
}

/** An already processed message: acknowledged so the sender stops retrying. */
export function duplicateResponse(id: string): WebhookResponse {
  return { status: 200, headers: NO_HEADERS, body: { duplicate: true, id }, closeConnection: false };
}
