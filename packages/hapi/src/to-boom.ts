import { Boom } from "@hapi/boom";
import type { WebhookError } from "@hooksec/core";

/** The code a hooksec Boom carries in `data`, so `onPreResponse` hooks can `switch` on it. */
export interface WebhookBoomData {
  readonly code: WebhookError["code"];
}

/**
 * A refusal as a Boom, the Hapi way: the status, `data.code`, and as payload the
 * same small body every hooksec adapter sends, `{ error: { code, message } }`.
 */
export function toBoom(error: WebhookError): Boom<WebhookBoomData> {
  const boom = new Boom<WebhookBoomData>(error.message, { statusCode: error.status, data: { code: error.code } });
  setWebhookPayload(boom, error);
  if (error.retryAfterSeconds !== undefined) boom.output.headers["Retry-After"] = String(Math.ceil(error.retryAfterSeconds));
  return boom;
}

/** Replaces Boom's default payload with the hooksec error body. */
export function setWebhookPayload(boom: Boom, error: WebhookError): void {
  (boom.output as { payload: unknown }).payload = error.toJSON();
}
