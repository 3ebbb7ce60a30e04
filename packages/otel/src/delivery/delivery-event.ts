/**
 * The events of `@hooksec/delivery` (`createDelivery({ onEvent })`,
 * `createDeliveryWorker({ onEvent })`), as this package reads them. Declared here so
 * `@hooksec/otel` does not depend on BullMQ; a test keeps it in step with
 * `@hooksec/delivery`'s `DeliveryEvent`.
 */
export type DeliveryTelemetryEvent =
  | {
      readonly type: "dispatched";
      readonly messageId: string;
      readonly endpointId: string;
      readonly eventType?: string;
      readonly duplicate: boolean;
    }
  | {
      readonly type: "attempt";
      readonly messageId: string;
      readonly endpointId: string;
      readonly attempt: number;
      /** A label from a small fixed set: success, timeout, dns, connection_error, tls_error, http_5xx... */
      readonly outcome: string;
      readonly status?: number;
      readonly durationMs: number;
      readonly retryInMs?: number;
    }
  | { readonly type: "delivered"; readonly messageId: string; readonly endpointId: string; readonly attempts: number }
  | {
      readonly type: "deferred";
      readonly messageId: string;
      readonly endpointId: string;
      readonly reason: string;
      readonly untilMs: number;
    }
  | {
      readonly type: "dead_letter";
      readonly messageId: string;
      readonly endpointId: string;
      readonly reason: string;
      readonly attempts: number;
    }
  | { readonly type: "circuit"; readonly endpointId: string; readonly from: string; readonly to: string }
  | { readonly type: "endpoint_disabled"; readonly endpointId: string; readonly reason: string }
  | { readonly type: "endpoint_enabled"; readonly endpointId: string }
  | { readonly type: "redelivered"; readonly messageId: string; readonly endpointId: string };

/** BullMQ's `Queue` as far as the queue-depth gauge needs it. */
export interface JobCountSource {
  readonly name: string;
  /** Counts the queue's jobs in each of the given states (`waiting`, `delayed`, ...). */
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}
