import type { WebhookEvent } from "@hooksec/core";
import type { Attributes, Counter, Histogram, Meter } from "@opentelemetry/api";
import { BoundedMap } from "../lib/bounded-map.js";
import { errorType } from "../lib/error-type.js";
import { ATTR, METRIC } from "../names.js";
import type { TelemetrySettings } from "../options.js";

/** Seconds: a verification takes tens of microseconds to a few milliseconds, a JWKS fetch or a slow store longer. */
const DURATION_BOUNDARIES = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const REPLAY_STORE_CODES: ReadonlySet<string> = new Set(["replay_store_unavailable", "replay_store_full"]);

interface CertificateReading {
  readonly attributes: Attributes;
  readonly days: number;
}

/** Turns receive-lifecycle events into the receive instruments. */
export function createReceiveMetrics(meter: Meter, settings: TelemetrySettings): (event: WebhookEvent) => void {
  const duration: Histogram = meter.createHistogram(METRIC.verificationDuration, {
    description: "Time from a webhook request's arrival to its verification outcome.",
    unit: "s",
    advice: { explicitBucketBoundaries: DURATION_BOUNDARIES },
  });
  const received: Counter = meter.createCounter(METRIC.received, { description: "Received webhook deliveries, by verification outcome.", unit: "{webhook}" });
  const duplicates: Counter = meter.createCounter(METRIC.duplicates, { description: "Deliveries of already processed messages.", unit: "{webhook}" });
  const inProgress: Counter = meter.createCounter(METRIC.inProgress, {
    description: "Deliveries answered 409 while another delivery of the message was processed.",
    unit: "{webhook}",
  });
  const processed: Counter = meter.createCounter(METRIC.processed, { description: "What became of verified messages.", unit: "{webhook}" });
  const storeFailures: Counter = meter.createCounter(METRIC.replayStoreFailures, { description: "Replay store failures.", unit: "{failure}" });
  const evictions: Counter = meter.createCounter(METRIC.replayStoreEvictions, {
    description: "Processed message ids forgotten early to make room (in-memory store).",
    unit: "{message}",
  });

  // The last reading per tenant and certificate subject, observed at each collection.
  const certificates = new BoundedMap<string, CertificateReading>(settings.maxTrackedEntries);
  meter
    .createObservableGauge(METRIC.certificateDaysUntilExpiry, {
      description: "Whole days until the client certificate last presented for a tenant expires (negative once expired).",
      unit: "d",
    })
    .addCallback((result) => {
      for (const reading of certificates.values()) result.observe(reading.days, reading.attributes);
    });

  function common(event: WebhookEvent): Attributes {
    const attributes: Attributes = { [ATTR.scheme]: event.scheme };
    if (settings.tenant && event.tenant !== undefined) attributes[ATTR.tenant] = event.tenant;
    return attributes;
  }

  return function recordReceiveMetrics(event: WebhookEvent): void {
    if (event.daysUntilExpiry !== undefined && (event.tenant !== undefined || event.certificateSubject !== undefined)) {
      const attributes: Attributes = {};
      if (event.tenant !== undefined) attributes[ATTR.tenant] = event.tenant;
      if (event.certificateSubject !== undefined) attributes[ATTR.tlsClientSubject] = event.certificateSubject;
      certificates.set(`${event.tenant ?? ""}\u0000${event.certificateSubject ?? ""}`, { attributes, days: event.daysUntilExpiry });
    }
    switch (event.type) {
      case "verified":
      case "duplicate":
      case "in_progress":
      case "rejected": {
        // A rejection with a message id is the store failing after the handler ran: not a new delivery.
        if (event.type === "rejected" && event.id !== undefined) {
          storeFailures.add(1, { ...common(event), [ATTR.errorType]: event.code ?? "replay_store_unavailable", [ATTR.replayStoreOperation]: "settle" });
          return;
        }
        const attributes = common(event);
        attributes[ATTR.outcome] = event.type;
        if (event.code !== undefined) attributes[ATTR.errorType] = event.code;
        if (settings.keyId && event.type === "verified" && event.keyId !== undefined) attributes[ATTR.keyId] = event.keyId;
        received.add(1, attributes);
        duration.record(event.durationMs / 1000, attributes);
        if (event.type === "duplicate") duplicates.add(1, common(event));
        else if (event.type === "in_progress") inProgress.add(1, common(event));
        else if (event.code !== undefined && REPLAY_STORE_CODES.has(event.code)) {
          storeFailures.add(1, { ...common(event), [ATTR.errorType]: event.code, [ATTR.replayStoreOperation]: "claim" });
        }
        return;
      }
      case "completed":
      case "released":
      case "lease_lost":
        processed.add(1, { ...common(event), [ATTR.outcome]: event.type });
        return;
      case "handler_failed":
        processed.add(1, { ...common(event), [ATTR.outcome]: event.type, [ATTR.errorType]: handlerErrorType(event) });
        return;
      case "evicted":
        evictions.add(1, { [ATTR.scheme]: event.scheme });
        return;
    }
  };
}

/** A handler's 5xx answer is its status code; a thrown error its bounded type. */
export function handlerErrorType(event: WebhookEvent): string {
  if (event.error !== undefined) return errorType(event.error);
  return event.status !== undefined ? String(event.status) : "_OTHER";
}
