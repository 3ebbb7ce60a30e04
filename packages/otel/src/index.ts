// Named re-exports only.
export {
  INSTRUMENTATION_SCOPE,
  createWebhookTelemetry,
  type SenderLike,
  type WebhookTelemetry,
} from "./create-webhook-telemetry.js";
export type { DeliveryTelemetryEvent, JobCountSource } from "./delivery/delivery-event.js";
export { errorType } from "./lib/error-type.js";
export { ATTR, MESSAGING_SYSTEM, METRIC, SPAN } from "./names.js";
export type { OptInAttributes, WebhookTelemetryOptions } from "./options.js";
export { withTraceContext } from "./send/trace-context.js";
