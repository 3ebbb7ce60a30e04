import type { SecretOptions } from "../../keys/secret-input.js";
import { defineHmacScheme } from "../hmac/define-hmac-scheme.js";
import type { WebhookScheme } from "../types.js";
import { standardHmacFormat } from "./format.js";

export type StandardWebhooksOptions = SecretOptions;

/**
 * Standard Webhooks (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `id.timestamp.body` in `webhook-id`, `webhook-timestamp`, `webhook-signature`.
 * Pass `{ secrets: [newest, ...older] }` while rotating: it signs with the first
 * and accepts any.
 *
 * @example
 * const scheme = standardWebhooks({ secret: process.env.WEBHOOK_SECRET });
 * const headers = await scheme.sign({ id: "msg_1", timestamp: new Date(), body: '{"ok":true}' });
 */
export function standardWebhooks(options: StandardWebhooksOptions): WebhookScheme {
  return defineHmacScheme(
    standardHmacFormat("standard-webhooks", {
      id: "webhook-id",
      timestamp: "webhook-timestamp",
      signature: "webhook-signature",
    }),
    options,
  );
}
