import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { type WebhookTelemetry, type WebhookTelemetryOptions, createWebhookTelemetry } from "@hooksec/otel";
import type { Middleware } from "koa";

export interface PrometheusMetrics {
  readonly telemetry: WebhookTelemetry;
  /** Koa middleware answering the scrape. */
  readonly route: Middleware;
  shutdown(): Promise<void>;
}

/**
 * `@hooksec/otel` into a MeterProvider whose reader is the Prometheus exporter, served
 * by the app itself (no second port): mount `route` on `GET /metrics`.
 *
 * @example
 * const metrics = createPrometheusMetrics({ attributes: { tenant: true } });
 * router.get("/metrics", metrics.route);
 */
export function createPrometheusMetrics(
  options: Omit<WebhookTelemetryOptions, "meterProvider"> = {},
): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const telemetry = createWebhookTelemetry({ traces: false, ...options, meterProvider });
  return {
    telemetry,
    route: (ctx) => {
      // The exporter writes the response itself.
      ctx.respond = false;
      exporter.getMetricsRequestHandler(ctx.req, ctx.res);
    },
    shutdown: () => meterProvider.shutdown(),
  };
}
