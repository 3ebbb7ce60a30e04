import { Boom } from "@hapi/boom";
import type { WebhookErrorCode, WebhookResponse } from "@hooksec/core";

/** The code a hooksec Boom carries in `data`, so `onPreResponse` hooks can `switch` on it. */
export interface WebhookBoomData {
  readonly code: WebhookErrorCode;
}

/**
 * A refusal as a Boom, the Hapi way: its status, `data.code`, the lifecycle's
 * headers (`Retry-After`) and, as payload, the same small body every hooksec
 * adapter sends, `{ error: { code, message } }`.
 */
export function toBoom(response: WebhookResponse & { readonly body: { readonly error: { readonly code: string; readonly message: string } } }): Boom<WebhookBoomData> {
  const { code, message } = response.body.error;
  const boom = new Boom<WebhookBoomData>(message, { statusCode: response.status, data: { code: code as WebhookErrorCode } });
  (boom.output as { payload: unknown }).payload = response.body;
  Object.assign(boom.output.headers, response.headers);
  return boom;
}
