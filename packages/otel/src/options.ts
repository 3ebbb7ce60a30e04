import type { MeterProvider, TracerProvider } from "@opentelemetry/api";

/** Metric attributes that can take as many values as you have tenants, keys or endpoints: off unless asked for. */
export interface OptInAttributes {
  /** `hooksec.tenant` on receive metrics. Default `false` (spans always carry it). */
  readonly tenant?: boolean;
  /** `hooksec.key.id` on `verified` outcomes: shows when an old key stops being used. Default `false`. */
  readonly keyId?: boolean;
  /** `hooksec.endpoint.id` (durable delivery) or `server.address` (core sender) on delivery metrics. Default `false`. */
  readonly endpoint?: boolean;
}

/**
 * Options of {@link createWebhookTelemetry}: which providers to use, what to record, and which high-cardinality attributes to allow.
 */
export interface WebhookTelemetryOptions {
  /** Default: the global one (`metrics.getMeterProvider()`), set by the OpenTelemetry SDK you start. */
  readonly meterProvider?: MeterProvider;
  /** Default: the global one (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /** Record metrics. Default `true`. */
  readonly metrics?: boolean;
  /** Record spans. Default `true` (with no SDK registered they cost next to nothing). */
  readonly traces?: boolean;
  readonly attributes?: OptInAttributes;
  /**
   * `telemetry.send()` adds the `traceparent` (and `tracestate`) of its span to the
   * outgoing webhook's headers, through the global propagator. Default `false`: trace
   * ids then reach your customers' servers, so turn it on for receivers you trust.
   */
  readonly propagateTraceContext?: boolean;
  /**
   * Bound of each table kept between events: certificate expiry per tenant, circuit
   * state per endpoint, received webhooks whose span is still open. Default 10 000.
   */
  readonly maxTrackedEntries?: number;
}

export interface TelemetrySettings {
  readonly tenant: boolean;
  readonly keyId: boolean;
  readonly endpoint: boolean;
  readonly maxTrackedEntries: number;
}
