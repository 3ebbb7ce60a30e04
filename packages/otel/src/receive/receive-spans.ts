import type { WebhookEvent } from "@hooksec/core";
import { type Attributes, type Span, SpanKind, SpanStatusCode, type Tracer, context } from "@opentelemetry/api";
import { BoundedMap } from "../lib/bounded-map.js";
import { startedBefore } from "../lib/time.js";
import { ATTR, MESSAGING_SYSTEM, SPAN } from "../names.js";
import type { TelemetrySettings } from "../options.js";
import { handlerErrorType } from "./receive-metrics.js";

/**
 * One CONSUMER span per received webhook. It starts at the request's arrival (the
 * event's `durationMs` back), under the span active when the event fires: the HTTP
 * server span of your HTTP instrumentation. Refusals, duplicates and in-progress
 * answers end it at once; a verified message's span stays open until the message is
 * completed, released or its lease is lost (matched by scheme and message id).
 */
export function createReceiveSpans(tracer: Tracer, settings: TelemetrySettings): (event: WebhookEvent) => void {
  // Spans of verified messages still being processed; the oldest is ended past the bound.
  const open = new BoundedMap<string, Span>(settings.maxTrackedEntries, (_key, span) => {
    span.setAttribute(ATTR.outcome, "untracked");
    span.end();
  });

  function start(event: WebhookEvent): Span {
    const attributes: Attributes = {
      [ATTR.messagingSystem]: MESSAGING_SYSTEM,
      [ATTR.messagingOperationType]: "process",
      [ATTR.messagingOperationName]: "receive",
      [ATTR.scheme]: event.scheme,
    };
    if (event.id !== undefined) attributes[ATTR.messagingMessageId] = event.id;
    if (event.tenant !== undefined) attributes[ATTR.tenant] = event.tenant;
    if (event.keyId !== undefined) attributes[ATTR.keyId] = event.keyId;
    if (event.clientIp !== undefined) attributes[ATTR.clientAddress] = event.clientIp;
    if (event.certificateSubject !== undefined) attributes[ATTR.tlsClientSubject] = event.certificateSubject;
    if (event.daysUntilExpiry !== undefined) attributes[ATTR.certificateDaysUntilExpiry] = event.daysUntilExpiry;
    return tracer.startSpan(
      SPAN.receive,
      { kind: SpanKind.CONSUMER, startTime: startedBefore(event.durationMs), attributes },
      context.active(),
    );
  }

  function finish(span: Span, event: WebhookEvent, outcome: string): void {
    span.setAttribute(ATTR.outcome, outcome);
    if (event.code !== undefined) {
      span.setAttribute(ATTR.errorType, event.code);
      // Only the stable code: a detail or a message is for logs, not for a trace backend.
      span.setStatus({ code: SpanStatusCode.ERROR, message: event.code });
    }
    if (event.retryAfterSeconds !== undefined) span.setAttribute(ATTR.retryAfter, event.retryAfterSeconds);
    span.end();
  }

  const key = (event: WebhookEvent) => `${event.scheme}\u0000${event.id ?? ""}`;

  return function recordReceiveSpan(event: WebhookEvent): void {
    switch (event.type) {
      case "verified": {
        const span = start(event);
        if (event.id !== undefined && span.isRecording()) open.set(key(event), span);
        else finish(span, event, "verified");
        return;
      }
      case "duplicate":
      case "in_progress":
        finish(start(event), event, event.type);
        return;
      case "rejected": {
        // With an id: the store failed after the handler ran; that ends the message's span.
        const span = event.id === undefined ? undefined : open.get(key(event));
        if (span !== undefined) {
          open.delete(key(event));
          finish(span, event, "rejected");
        } else if (event.id === undefined) {
          finish(start(event), event, "rejected");
        }
        return;
      }
      case "handler_failed": {
        const span = open.get(key(event));
        if (span === undefined) return;
        const type = handlerErrorType(event);
        span.setAttribute(ATTR.errorType, type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
        span.addEvent("handler_failed", event.status === undefined ? {} : { [ATTR.httpStatus]: event.status });
        return;
      }
      case "completed":
      case "released":
      case "lease_lost": {
        const span = open.get(key(event));
        if (span === undefined) return;
        open.delete(key(event));
        if (event.type === "lease_lost") span.setStatus({ code: SpanStatusCode.ERROR, message: "lease_lost" });
        span.setAttribute(ATTR.outcome, event.type);
        span.end();
        return;
      }
      case "evicted":
        return;
    }
  };
}
