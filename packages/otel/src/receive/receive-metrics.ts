import type { WebhookEvent } from "@hooksec/core";
import type { Attributes, Histogram, Meter } from "@opentelemetry/api";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { BoundedMap } from "../lib/bounded-map.js";
import { errorType } from "../lib/error-type.js";
import { LocalCounter } from "../lib/local-counter.js";
import { ATTR, METRIC } from "../names.js";
import type { TelemetrySettings } from "../options.js";

/** Seconds: a verification takes tens of microseconds to a few milliseconds, a JWKS fetch or a slow store longer. */
const DURATION_BOUNDARIES = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

const REPLAY_STORE_CODES: ReadonlySet<string> = new Set(["replay_store_unavailable", "replay_store_full"]);
const SEPARATOR = "\u0000";

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
  const received = new LocalCounter(meter, METRIC.received, {
    description: "Received webhook deliveries, by verification outcome.",
    unit: "{webhook}",
  });
  const duplicates = new LocalCounter(meter, METRIC.duplicates, {
    description: "Deliveries of already processed messages.",
    unit: "{webhook}",
  });
  const inProgress = new LocalCounter(meter, METRIC.inProgress, {
    description: "Deliveries answered 409 while another delivery of the message was processed.",
    unit: "{webhook}",
  });
  const processed = new LocalCounter(meter, METRIC.processed, {
    description: "What became of verified messages.",
    unit: "{webhook}",
  });
  const storeFailures = new LocalCounter(meter, METRIC.replayStoreFailures, {
    description: "Replay store failures.",
    unit: "{failure}",
  });
  const evictions = new LocalCounter(meter, METRIC.replayStoreEvictions, {
    description: "Processed message ids forgotten early to make room (in-memory store).",
    unit: "{message}",
  });

  // The last reading per tenant and certificate subject, observed at each collection.
  const certificates = new BoundedMap<string, CertificateReading>(settings.maxTrackedEntries);
  meter
    .createObservableGauge(METRIC.certificateDaysUntilExpiry, {
      description:
        "Whole days until the client certificate last presented for a tenant expires (negative once expired).",
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
  const tenantKey = (event: WebhookEvent) => (settings.tenant && event.tenant !== undefined ? event.tenant : "");
  const commonKey = (event: WebhookEvent) => event.scheme + SEPARATOR + tenantKey(event);

  function outcome(event: WebhookEvent): void {
    const keyId = settings.keyId && event.type === "verified" && event.keyId !== undefined ? event.keyId : "";
    const key = commonKey(event) + SEPARATOR + event.type + SEPARATOR + (event.code ?? "") + SEPARATOR + keyId;
    // One series per outcome: its attribute object is reused by the histogram too.
    const series = received.series(key, () => {
      const attributes = common(event);
      attributes[ATTR.outcome] = event.type;
      if (event.code !== undefined) attributes[ATTR.errorType] = event.code;
      if (keyId !== "") attributes[ATTR.keyId] = keyId;
      return attributes;
    });
    series.value++;
    duration.record(event.durationMs / 1000, series.attributes, ROOT_CONTEXT);
  }

  return function recordReceiveMetrics(event: WebhookEvent): void {
    if (event.daysUntilExpiry !== undefined && (event.tenant !== undefined || event.certificateSubject !== undefined)) {
      recordCertificate(certificates, event);
    }
    switch (event.type) {
      case "verified":
      case "duplicate":
      case "in_progress":
        outcome(event);
        if (event.type === "duplicate") duplicates.increment(commonKey(event), () => common(event));
        else if (event.type === "in_progress") inProgress.increment(commonKey(event), () => common(event));
        return;
      case "rejected": {
        // A rejection with a message id is the store failing after the handler ran: not a new delivery.
        if (event.id !== undefined || (event.code !== undefined && REPLAY_STORE_CODES.has(event.code))) {
          const operation = event.id !== undefined ? "settle" : "claim";
          const code = event.code ?? "replay_store_unavailable";
          storeFailures.increment(commonKey(event) + SEPARATOR + code + SEPARATOR + operation, () => ({
            ...common(event),
            [ATTR.errorType]: code,
            [ATTR.replayStoreOperation]: operation,
          }));
          if (event.id !== undefined) return;
        }
        outcome(event);
        return;
      }
      case "completed":
      case "released":
      case "lease_lost":
        processed.increment(commonKey(event) + SEPARATOR + event.type, () => ({
          ...common(event),
          [ATTR.outcome]: event.type,
        }));
        return;
      case "handler_failed": {
        const type = handlerErrorType(event);
        processed.increment(commonKey(event) + SEPARATOR + event.type + SEPARATOR + type, () => ({
          ...common(event),
          [ATTR.outcome]: event.type,
          [ATTR.errorType]: type,
        }));
        return;
      }
      case "evicted":
        evictions.increment(event.scheme, () => ({ [ATTR.scheme]: event.scheme }));
        return;
    }
  };
}

function recordCertificate(certificates: BoundedMap<string, CertificateReading>, event: WebhookEvent): void {
  const key = `${event.tenant ?? ""}${SEPARATOR}${event.certificateSubject ?? ""}`;
  const days = event.daysUntilExpiry as number;
  if (certificates.get(key)?.days === days) return;
  const attributes: Attributes = {};
  if (event.tenant !== undefined) attributes[ATTR.tenant] = event.tenant;
  if (event.certificateSubject !== undefined) attributes[ATTR.tlsClientSubject] = event.certificateSubject;
  certificates.set(key, { attributes, days });
}

/** A handler's 5xx answer is its status code; a thrown error its bounded type. */
export function handlerErrorType(event: WebhookEvent): string {
  if (event.error !== undefined) return errorType(event.error);
  return event.status !== undefined ? String(event.status) : "_OTHER";
}
