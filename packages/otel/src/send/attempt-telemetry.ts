import type { AttemptEvent } from "@hooksec/core";
import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  context,
} from "@opentelemetry/api";
import { errorType } from "../lib/error-type.js";
import { startedBefore } from "../lib/time.js";
import { ATTR, METRIC, SPAN } from "../names.js";
import type { TelemetrySettings } from "../options.js";

/** Seconds: receivers answer in milliseconds; the sender's default total timeout is 15 s. */
const ATTEMPT_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

/** The attempt instruments, shared by the core sender's attempts and durable delivery's. */
export interface AttemptInstruments {
  readonly attempts: Counter;
  readonly duration: Histogram;
}

export function createAttemptInstruments(meter: Meter): AttemptInstruments {
  return {
    attempts: meter.createCounter(METRIC.deliveryAttempts, {
      description: "Outgoing webhook delivery attempts, by outcome.",
      unit: "{attempt}",
    }),
    duration: meter.createHistogram(METRIC.deliveryAttemptDuration, {
      description: "Duration of one outgoing delivery attempt.",
      unit: "s",
      advice: { explicitBucketBoundaries: ATTEMPT_BOUNDARIES },
    }),
  };
}

/** Where an attempt went, for spans: no user info, no query string (tokens live there), no fragment. */
export function describeUrl(raw: string): { full: string; host: string; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  return { full: `${url.protocol}//${url.host}${url.pathname}`, host: url.hostname, port };
}

/** `error.type` of an attempt: the status code of a failed answer, else the bounded type of what was thrown. */
function attemptErrorType(event: AttemptEvent): string | undefined {
  if (event.outcome === "delivered") return undefined;
  if (event.status !== undefined) return String(event.status);
  return event.error === undefined ? event.outcome : errorType(event.error);
}

/** Metrics and a CLIENT span per attempt of the core sender (`createSender({ onAttempt })`). */
export function createAttemptTelemetry(
  instruments: AttemptInstruments | undefined,
  tracer: Tracer | undefined,
  settings: TelemetrySettings,
): (event: AttemptEvent) => void {
  return function recordAttempt(event: AttemptEvent): void {
    const where = describeUrl(event.url);
    const failure = attemptErrorType(event);
    if (instruments !== undefined) {
      const attributes: Attributes = { [ATTR.outcome]: event.outcome };
      if (event.status !== undefined) attributes[ATTR.httpStatus] = event.status;
      if (failure !== undefined) attributes[ATTR.errorType] = failure;
      if (settings.endpoint && where !== undefined) attributes[ATTR.serverAddress] = where.host;
      instruments.attempts.add(1, attributes);
      instruments.duration.record(event.durationMs / 1000, attributes);
    }
    if (tracer === undefined) return;
    const attributes: Attributes = {
      [ATTR.httpMethod]: "POST",
      [ATTR.messagingMessageId]: event.id,
      [ATTR.outcome]: event.outcome,
    };
    if (where !== undefined) {
      attributes[ATTR.urlFull] = where.full;
      attributes[ATTR.serverAddress] = where.host;
      attributes[ATTR.serverPort] = where.port;
    }
    if (event.attempt > 1) attributes[ATTR.resendCount] = event.attempt - 1;
    if (event.status !== undefined) attributes[ATTR.httpStatus] = event.status;
    if (failure !== undefined) attributes[ATTR.errorType] = failure;
    const span = tracer.startSpan(
      SPAN.attempt,
      { kind: SpanKind.CLIENT, startTime: startedBefore(event.durationMs), attributes },
      context.active(),
    );
    if (failure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    span.end();
  };
}
