import type { AttemptEvent, DeliveryResult, Endpoint, SendOptions, WebhookEvent } from "@hooksec/core";
import { type Meter, SpanKind, SpanStatusCode, type Tracer, context, metrics, trace } from "@opentelemetry/api";
import type { DeliveryTelemetryEvent, JobCountSource } from "./delivery/delivery-event.js";
import { QUEUE_STATES, createDeliveryTelemetry } from "./delivery/delivery-telemetry.js";
import { errorType } from "./lib/error-type.js";
import { ATTR, MESSAGING_SYSTEM, METRIC, SPAN } from "./names.js";
import type { TelemetrySettings, WebhookTelemetryOptions } from "./options.js";
import { createReceiveMetrics } from "./receive/receive-metrics.js";
import { createReceiveSpans } from "./receive/receive-spans.js";
import { createAttemptInstruments, createAttemptTelemetry, describeUrl } from "./send/attempt-telemetry.js";
import { withTraceContext } from "./send/trace-context.js";

/** The instrumentation scope of every instrument and span. */
export const INSTRUMENTATION_SCOPE = "@hooksec/otel";
const DEFAULT_MAX_TRACKED_ENTRIES = 10_000;

/** What `send` needs of a sender: `createSender(...)`'s result. */
export interface SenderLike {
  /** Signs and delivers one webhook, as `Sender.send` does. */
  send(endpoint: Endpoint, payload: unknown, options?: SendOptions): Promise<DeliveryResult>;
}

/**
 * The hooks {@link createWebhookTelemetry} returns: pass each to the `onEvent`/`onAttempt` option it names, and they record metrics and spans.
 */
export interface WebhookTelemetry {
  /** For `createReceiver`, `createVerifier` and every adapter's `onEvent`. Never throws. */
  readonly onEvent: (event: WebhookEvent) => void;
  /** For `createSender({ onAttempt })`: metrics and a CLIENT span per attempt. Never throws. */
  readonly onAttempt: (event: AttemptEvent) => void;
  /** For `createDelivery({ onEvent })` and `createDeliveryWorker({ onEvent })` of `@hooksec/delivery`. Never throws. */
  readonly onDeliveryEvent: (event: DeliveryTelemetryEvent) => void;
  /**
   * Reports a BullMQ queue's job counts (`delivery.queue`) as `hooksec.delivery.queue.depth`
   * at each collection. Returns a function that stops it.
   */
  observeQueue(queue: JobCountSource): () => void;
  /**
   * `sender.send(...)` inside a PRODUCER span `send webhook` that parents every attempt's
   * CLIENT span; with `propagateTraceContext` its context travels in the webhook's headers.
   */
  send(sender: SenderLike, endpoint: Endpoint, payload: unknown, options?: SendOptions): Promise<DeliveryResult>;
}

/**
 * OpenTelemetry metrics and traces for the whole webhook lifecycle, from the hooks
 * hooksec already has. Attributes are bounded: tenant, key id and endpoint appear on
 * metrics only when `attributes` asks for them. Nothing of a body, a secret, a
 * signature or an error message is ever recorded.
 *
 * @example
 * const telemetry = createWebhookTelemetry({ attributes: { tenant: true } });
 * app.use(webhook({ scheme, onEvent: telemetry.onEvent }));
 * const sender = createSender({ scheme, onAttempt: telemetry.onAttempt });
 */
export function createWebhookTelemetry(options: WebhookTelemetryOptions = {}): WebhookTelemetry {
  const settings: TelemetrySettings = {
    tenant: options.attributes?.tenant === true,
    keyId: options.attributes?.keyId === true,
    endpoint: options.attributes?.endpoint === true,
    maxTrackedEntries: positiveInteger(options.maxTrackedEntries ?? DEFAULT_MAX_TRACKED_ENTRIES, "maxTrackedEntries"),
  };
  const meter: Meter | undefined =
    options.metrics === false
      ? undefined
      : (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  const tracer: Tracer | undefined =
    options.traces === false
      ? undefined
      : (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);

  const receiveMetrics = meter === undefined ? undefined : createReceiveMetrics(meter, settings);
  const receiveSpans = tracer === undefined ? undefined : createReceiveSpans(tracer, settings);
  const attemptInstruments = meter === undefined ? undefined : createAttemptInstruments(meter);
  const recordAttempt = createAttemptTelemetry(attemptInstruments, tracer, settings);
  const recordDeliveryEvent = createDeliveryTelemetry(meter, attemptInstruments, tracer, settings);
  const queueDepth = meter?.createObservableGauge(METRIC.queueDepth, {
    description: "Jobs in the delivery queue, by state.",
    unit: "{job}",
  });

  return {
    onEvent(event) {
      // Telemetry must never decide whether a webhook is accepted (core swallows throws too).
      try {
        receiveMetrics?.(event);
        receiveSpans?.(event);
      } catch {
        // deliberately ignored
      }
    },
    onAttempt(event) {
      try {
        recordAttempt(event);
      } catch {
        // deliberately ignored
      }
    },
    onDeliveryEvent(event) {
      try {
        recordDeliveryEvent(event);
      } catch {
        // deliberately ignored
      }
    },
    observeQueue(queue) {
      if (queueDepth === undefined) return () => undefined;
      const callback = async (result: { observe(value: number, attributes: Record<string, string>): void }) => {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) {
          result.observe(counts[state] ?? 0, { [ATTR.messagingDestination]: queue.name, [ATTR.jobState]: state });
        }
      };
      queueDepth.addCallback(callback);
      return () => queueDepth.removeCallback(callback);
    },
    async send(sender, endpoint, payload, sendOptions) {
      if (tracer === undefined) return sender.send(endpoint, payload, sendOptions);
      const where = describeUrl(endpoint.url);
      const span = tracer.startSpan(
        SPAN.send,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            [ATTR.messagingSystem]: MESSAGING_SYSTEM,
            [ATTR.messagingOperationType]: "send",
            [ATTR.messagingOperationName]: "send",
            ...(where === undefined ? {} : { [ATTR.serverAddress]: where.host, [ATTR.serverPort]: where.port }),
            ...(sendOptions?.id === undefined ? {} : { [ATTR.messagingMessageId]: sendOptions.id }),
          },
        },
        context.active(),
      );
      const active = trace.setSpan(context.active(), span);
      try {
        const target = options.propagateTraceContext === true ? withTraceContext(endpoint, active) : endpoint;
        const result = await context.with(active, () => sender.send(target, payload, sendOptions));
        span.setAttributes({ [ATTR.messagingMessageId]: result.id, [ATTR.outcome]: result.status });
        if (result.lastStatus !== undefined) span.setAttribute(ATTR.httpStatus, result.lastStatus);
        if (result.status !== "delivered") span.setStatus({ code: SpanStatusCode.ERROR, message: result.status });
        return result;
      } catch (error) {
        // A refused endpoint (invalid_endpoint, ssrf_blocked): its code only, never the message.
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
