import {
  type Attributes,
  type Counter,
  type Meter,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  context,
} from "@opentelemetry/api";
import { BoundedMap } from "../lib/bounded-map.js";
import { startedBefore } from "../lib/time.js";
import { ATTR, METRIC, SPAN } from "../names.js";
import type { TelemetrySettings } from "../options.js";
import type { AttemptInstruments } from "../send/attempt-telemetry.js";
import type { DeliveryTelemetryEvent } from "./delivery-event.js";

const CIRCUIT_STATES = ["closed", "half_open", "open"] as const;

interface DeliveryCounters {
  readonly dispatched: Counter;
  readonly delivered: Counter;
  readonly deadLetters: Counter;
  readonly deferred: Counter;
  readonly redelivered: Counter;
  readonly circuitTransitions: Counter;
  readonly endpointChanges: Counter;
}

/** Metrics (and a CLIENT span per attempt) from durable delivery's events. */
export function createDeliveryTelemetry(
  meter: Meter | undefined,
  instruments: AttemptInstruments | undefined,
  tracer: Tracer | undefined,
  settings: TelemetrySettings,
): (event: DeliveryTelemetryEvent) => void {
  const counters = meter === undefined ? undefined : createCounters(meter);
  // The state each endpoint's circuit was last seen entering (by this process).
  const circuits = new BoundedMap<string, string>(settings.maxTrackedEntries);
  meter
    ?.createObservableGauge(METRIC.circuitState, {
      description: "1 for the state each endpoint's circuit breaker was last seen in, 0 for the others.",
      unit: "1",
    })
    .addCallback((result) => {
      for (const [endpointId, state] of circuits.entries()) {
        for (const candidate of CIRCUIT_STATES) {
          result.observe(candidate === state ? 1 : 0, {
            [ATTR.endpointId]: endpointId,
            [ATTR.circuitState]: candidate,
          });
        }
      }
    });

  const endpoint = (endpointId: string): Attributes => (settings.endpoint ? { [ATTR.endpointId]: endpointId } : {});

  return function recordDeliveryEvent(event: DeliveryTelemetryEvent): void {
    switch (event.type) {
      case "attempt": {
        const failed = event.outcome !== "success";
        if (instruments !== undefined) {
          const attributes: Attributes = { ...endpoint(event.endpointId), [ATTR.outcome]: event.outcome };
          if (event.status !== undefined) attributes[ATTR.httpStatus] = event.status;
          if (failed) attributes[ATTR.errorType] = event.status === undefined ? event.outcome : String(event.status);
          instruments.attempts.add(1, attributes);
          instruments.duration.record(event.durationMs / 1000, attributes);
        }
        if (tracer !== undefined) {
          const attributes: Attributes = {
            [ATTR.httpMethod]: "POST",
            [ATTR.messagingMessageId]: event.messageId,
            [ATTR.endpointId]: event.endpointId,
            [ATTR.outcome]: event.outcome,
          };
          if (event.attempt > 1) attributes[ATTR.resendCount] = event.attempt - 1;
          if (event.status !== undefined) attributes[ATTR.httpStatus] = event.status;
          const type = event.status === undefined ? event.outcome : String(event.status);
          if (failed) attributes[ATTR.errorType] = type;
          const span = tracer.startSpan(
            SPAN.attempt,
            { kind: SpanKind.CLIENT, startTime: startedBefore(event.durationMs), attributes },
            context.active(),
          );
          if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: type });
          span.end();
        }
        return;
      }
      case "dispatched":
        counters?.dispatched.add(1, {
          ...endpoint(event.endpointId),
          [ATTR.outcome]: event.duplicate ? "duplicate" : "queued",
        });
        return;
      case "delivered":
        counters?.delivered.add(1, endpoint(event.endpointId));
        return;
      case "dead_letter":
        counters?.deadLetters.add(1, { ...endpoint(event.endpointId), [ATTR.deadLetterReason]: event.reason });
        return;
      case "deferred":
        counters?.deferred.add(1, endpoint(event.endpointId));
        return;
      case "redelivered":
        counters?.redelivered.add(1, endpoint(event.endpointId));
        return;
      case "circuit":
        counters?.circuitTransitions.add(1, { ...endpoint(event.endpointId), [ATTR.circuitState]: event.to });
        circuits.set(event.endpointId, event.to);
        return;
      case "endpoint_disabled":
        counters?.endpointChanges.add(1, {
          ...endpoint(event.endpointId),
          [ATTR.endpointState]: "disabled",
          [ATTR.disabledReason]: event.reason,
        });
        return;
      case "endpoint_enabled":
        counters?.endpointChanges.add(1, { ...endpoint(event.endpointId), [ATTR.endpointState]: "enabled" });
        return;
    }
  };
}

function createCounters(meter: Meter): DeliveryCounters {
  const counter = (name: string, description: string, unit: string) => meter.createCounter(name, { description, unit });
  return {
    dispatched: counter(
      METRIC.deliveryDispatched,
      "Messages queued for an endpoint (or recognised as already queued).",
      "{message}",
    ),
    delivered: counter(METRIC.deliveryDelivered, "Messages delivered.", "{message}"),
    deadLetters: counter(
      METRIC.deliveryDeadLetters,
      "Messages given up on and kept as dead letters, by reason.",
      "{message}",
    ),
    deferred: counter(
      METRIC.deliveryDeferred,
      "Attempts postponed because the endpoint's circuit was open.",
      "{attempt}",
    ),
    redelivered: counter(METRIC.deliveryRedelivered, "Dead letters sent again.", "{message}"),
    circuitTransitions: counter(
      METRIC.circuitTransitions,
      "Circuit breaker transitions, by the state entered.",
      "{transition}",
    ),
    endpointChanges: counter(METRIC.endpointChanges, "Endpoints disabled (by reason) or enabled again.", "{change}"),
  };
}

/** Job states the queue-depth gauge reports (BullMQ's names; `failed` holds the dead letters kept). */
export const QUEUE_STATES = ["waiting", "delayed", "active", "prioritized", "paused", "failed"] as const;
