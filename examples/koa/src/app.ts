import Router from "@koa/router";
import type { TenantRule } from "@hooksec/core";
import { type ReceiverOptions, type WebhookEvent, type WebhookState, standardWebhooks, webhook } from "@hooksec/koa";
import Koa from "koa";
import { Inbox } from "./inbox.js";

export interface ExampleAppOptions {
  /** The Standard Webhooks secret (`whsec_...`) senders sign with. */
  readonly secret?: string;
  /** A secret per tenant instead: the tenant proven by the client certificate picks the key. */
  readonly tenantSecrets?: Readonly<Record<string, string>>;
  /** Client certificates to tenants: turns mTLS identity on (direct TLS or a trusted proxy). */
  readonly tenants?: readonly TenantRule[];
  /** Reverse proxies (nginx) whose client-certificate and `X-Forwarded-For` headers are believed. */
  readonly trustedProxies?: readonly string[];
  /** Client addresses allowed to call; anyone when unset. */
  readonly allowlist?: readonly string[];
  /** Largest body accepted. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Every verification and refusal, with its code and detail: log it. */
  readonly onEvent?: (event: WebhookEvent) => void;
  /** Middleware run before the routes (the tests show what a global body parser does). */
  readonly middleware?: readonly Koa.Middleware[];
  readonly inbox?: Inbox;
}

/** The receiver options this app uses, built from its own options. */
export function webhookOptions(options: ExampleAppOptions): ReceiverOptions {
  const { tenantSecrets, secret } = options;
  const scheme =
    tenantSecrets !== undefined
      ? standardWebhooks({ secrets: ({ tenant }) => (tenant === undefined ? undefined : tenantSecrets[tenant]) })
      : standardWebhooks({ secret: secret ?? "" });
  return {
    scheme,
    identity: options.tenants === undefined ? undefined : { tenants: options.tenants },
    trustedProxies: options.trustedProxies,
    allowlist: options.allowlist,
    maxBodyBytes: options.maxBodyBytes,
    onEvent: options.onEvent,
  };
}

/**
 * A Koa app that receives Standard Webhooks on `POST /webhooks` and lists what
 * it processed on `GET /events`.
 *
 * @example
 * const { app } = createApp({ secret: process.env.WEBHOOK_SECRET });
 * app.listen(3000);
 */
export function createApp(options: ExampleAppOptions): { app: Koa<WebhookState>; inbox: Inbox } {
  const inbox = options.inbox ?? new Inbox();
  const app = new Koa<WebhookState>();
  // Setup mistakes (a body parser in front of the webhook route) reach Koa's
  // error handler with a message that says how to fix them: log them.
  app.on("error", (error: Error, ctx?: Koa.Context) => {
    if ((ctx?.status ?? 500) >= 500) console.error(`[koa example] ${error.message}`);
  });
  const router = new Router<WebhookState>();

  // webhook() reads the raw body itself: no body parser in front of it.
  router.post("/webhooks", webhook(webhookOptions(options)), (ctx) => {
    inbox.process(ctx.state.webhook);
    ctx.status = 204;
  });
  router.get("/events", (ctx) => {
    ctx.body = inbox.processed;
  });
  router.get("/healthz", (ctx) => {
    ctx.body = { ok: true };
  });

  for (const middleware of options.middleware ?? []) app.use(middleware);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, inbox };
}
