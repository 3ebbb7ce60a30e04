import { Boom } from "@hapi/boom";
import type { WebhookError, WebhookResponse } from "@hooksec/core";

/** The code a hooksec Boom carries in `data`, so `onPreResponse` hooks can `switch` on it. */
export interface WebhookBoomData {
  readonly code: WebhookError["code"];
}

/**
 * A refusal as a Boom, the Hapi way: its status, `data.code`, the lifecycle's
 * headers (`Retry-After`) and, as payload, the same small body every hooksec
 * adapter sends, `{ error: { code, message } }`.
 */
export function toBoom(response: WebhookResponse, error: WebhookError): Boom<WebhookBoomData> {
  const boom = new Boom<WebhookBoomData>(error.message, { statusCode: response.status, data: { code: error.code } });
  (boom.output as { payload: unknown }).payload = response.body;
  Object.assign(boom.output.headers, response.headers);
  return boom;
}
