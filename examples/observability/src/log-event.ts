import type { WebhookEvent } from "@hooksec/koa";
import { errorType } from "@hooksec/otel";
import type { Logger } from "pino";

/** Client certificates closer to expiry than this are logged as a warning on every delivery. */
export const CERTIFICATE_WARNING_DAYS = 30;

/**
 * The fields of one log line: what happened, to which message, from whom, and why.
 * Built field by field on purpose: `event.error` (what a handler threw, which may quote
 * the body) is reduced to its type, and nothing else of a request is ever copied.
 */
export function logFields(event: WebhookEvent): Record<string, string | number> {
  const fields: Record<string, string | number> = { event: event.type, scheme: event.scheme };
  if (event.id !== undefined) fields.id = event.id;
  if (event.tenant !== undefined) fields.tenant = event.tenant;
  if (event.clientIp !== undefined) fields.clientIp = event.clientIp;
  if (event.keyId !== undefined) fields.keyId = event.keyId;
  if (event.code !== undefined) fields.code = event.code;
  if (event.status !== undefined) fields.status = event.status;
  // The core's own description of a refusal: for logs, never for the wire (and never a secret).
  if (event.detail !== undefined && event.type !== "evicted") fields.detail = event.detail;
  if (event.error !== undefined) fields.errorType = errorType(event.error);
  if (event.retryAfterSeconds !== undefined) fields.retryAfterSeconds = event.retryAfterSeconds;
  if (event.certificateSubject !== undefined) fields.certificateSubject = event.certificateSubject;
  if (event.daysUntilExpiry !== undefined) fields.daysUntilExpiry = event.daysUntilExpiry;
  if (event.durationMs > 0) fields.durationMs = Math.round(event.durationMs * 1000) / 1000;
  return fields;
}

/** Level and message per outcome: refusals warn, failures of ours are errors, the rest is info. */
const OUTCOMES: Record<WebhookEvent["type"], { level: "debug" | "info" | "warn" | "error"; message: string }> = {
  verified: { level: "debug", message: "webhook verified" },
  completed: { level: "info", message: "webhook processed" },
  duplicate: { level: "info", message: "webhook already processed: acknowledged" },
  in_progress: { level: "info", message: "webhook being processed by another delivery: 409" },
  rejected: { level: "warn", message: "webhook rejected" },
  handler_failed: { level: "error", message: "webhook handler failed: released for the sender's retry" },
  released: { level: "info", message: "webhook released" },
  lease_lost: { level: "warn", message: "webhook lease lost: the handler overran its lease" },
  evicted: { level: "warn", message: "replay store full: a processed message id was forgotten early" },
};

/**
 * One pino line per receive-lifecycle event; `onEvent: (event) => logWebhookEvent(log, event)`.
 *
 * @example
 * const log = pino();
 * app.use(webhook({ scheme, onEvent: (event) => logWebhookEvent(log, event) }));
 */
export function logWebhookEvent(logger: Logger, event: WebhookEvent): void {
  const { level, message } = OUTCOMES[event.type];
  const fields = logFields(event);
  // 5xx refusals are ours (a store down, a setup error), not the sender's.
  const effective = event.type === "rejected" && (event.status ?? 0) >= 500 ? "error" : level;
  logger[effective](fields, message);
  if (
    event.daysUntilExpiry !== undefined &&
    event.daysUntilExpiry < CERTIFICATE_WARNING_DAYS &&
    event.type !== "rejected"
  ) {
    logger.warn(
      {
        event: "certificate_expiring",
        tenant: event.tenant,
        certificateSubject: event.certificateSubject,
        daysUntilExpiry: event.daysUntilExpiry,
      },
      "client certificate expires soon",
    );
  }
}
