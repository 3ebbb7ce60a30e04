import type { Endpoint } from "@hooksec/core";
import { type Context, context, propagation } from "@opentelemetry/api";

/**
 * The endpoint with the trace context of `from` (default: the active context) added to
 * its headers (`traceparent`, `tracestate`), through the global propagator, so the
 * receiver's HTTP server span joins the sender's trace. Headers are not signed: a
 * receiver must treat them as hints, never as authentication.
 *
 * @example
 * await sender.send(withTraceContext(endpoint), payload);
 */
export function withTraceContext(endpoint: Endpoint, from: Context = context.active()): Endpoint {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  if (Object.keys(carrier).length === 0) return endpoint;
  return { ...endpoint, headers: { ...endpoint.headers, ...carrier } };
}
