import Router from "@koa/router";
import { type ReceiverOptions, type WebhookEvent, type WebhookState, webhook } from "@hooksec/koa";
import Koa from "koa";
import type { Logger } from "pino";
import { logWebhookEvent } from "./log-event.js";
import { type PrometheusMetrics, createPrometheusMetrics } from "./metrics.js";

export interface ObservableAppOptions {
  /** How the webhook route verifies: scheme, identity, rate limit, replay... (`onEvent` is added). */
  readonly receiver: Omit<ReceiverOptions, "onEvent">;
  /** One line per outcome. */
  readonly logger?: Logger;
  /** Opt in to `GET /metrics` (Prometheus text format). Default `true`. */
  readonly metrics?: boolean;
  /** `hooksec.tenant` on the receive metrics. Default `false`. */
  readonly tenantMetrics?: boolean;
  /** Runs for each verified webhook; throw to fail it (it is released for the retry). */
  readonly handle?: (payload: unknown) => void | Promise<void>;
}

/**
 * A Koa app receiving webhooks on `POST /webhooks`, logging each outcome with pino and
 * exposing `GET /metrics` for Prometheus.
 *
 * @example
 * const { app } = createObservableApp({ receiver: { scheme: standardWebhooks({ secret }) }, logger: pino() });
 * app.listen(3000);
 */
export function createObservableApp(options: ObservableAppOptions): {
  app: Koa<WebhookState>;
  metrics: PrometheusMetrics | undefined;
} {
  const metrics =
    options.metrics === false
      ? undefined
      : createPrometheusMetrics({ attributes: { tenant: options.tenantMetrics === true } });
  const { logger } = options;
  const onEvent = (event: WebhookEvent) => {
    metrics?.telemetry.onEvent(event);
    if (logger !== undefined) logWebhookEvent(logger, event);
  };
  const app = new Koa<WebhookState>();
  // A handler's throw is logged through onEvent (handler_failed) already; Koa answers 500.
  app.silent = true;
  const router = new Router<WebhookState>();
  router.post("/webhooks", webhook({ ...options.receiver, onEvent }), async (ctx) => {
    await options.handle?.(ctx.state.webhook.json());
    ctx.status = 204;
  });
  if (metrics !== undefined) router.get("/metrics", metrics.route);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, metrics };
}
