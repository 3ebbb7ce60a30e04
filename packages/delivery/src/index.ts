// Named re-exports only.
export {
  createDelivery,
  type Delivery,
  type DispatchOptions,
  type Dispatched,
  type EndpointUpdate,
} from "./create-delivery.js";
export { createDeliveryWorker, type DeliveryWorker } from "./create-delivery-worker.js";
export type { DeliveryJobData } from "./lib/shared.js";
export { STANDARD_WEBHOOKS_RETRY_DELAYS_MS } from "./retry/retry-schedule.js";
export { rotatingStandardWebhooks } from "./endpoints/signing-scheme.js";
export type { DeadLetterQuery } from "./dead-letters/dead-letter-store.js";
export type {
  AttemptOutcomeLabel,
  AttemptRecord,
  CircuitOptions,
  CircuitSnapshot,
  CircuitState,
  DeadLetter,
  DeadLetterReason,
  DeliveryConnectionOptions,
  DeliveryEvent,
  DeliveryOptions,
  DeliveryWorkerOptions,
  DisabledReason,
  EndpointInput,
  EndpointRecord,
  EndpointSecret,
  EndpointStatus,
  RetentionOptions,
  RetryScheduleOptions,
} from "./types.js";
