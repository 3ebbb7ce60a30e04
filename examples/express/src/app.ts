import {
  type ReceiverOptions,
  type TenantRule,
  type WebhookEvent,
  createMemoryReplayStore,
  isWebhookError,
  standardWebhooks,
  webhook,
} from "@hooksec/express";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
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
  /** Middleware mounted before every route (the tests show what `express.json()` there does). */
  readonly middleware?: readonly RequestHandler[];
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
    // The default store, made explicit: one process, bounded, never forgets an id inside
    // its window. Several instances behind a load balancer share one: @hooksec/redis.
    replay: { store: createMemoryReplayStore() },
    identity: options.tenants === undefined ? undefined : { tenants: options.tenants },
    trustedProxies: options.trustedProxies,
    allowlist: options.allowlist,
    maxBodyBytes: options.maxBodyBytes,
    onEvent: options.onEvent,
  };
}

/**
 * An Express app that receives Standard Webhooks on `POST /webhooks`, lists what
 * it processed on `GET /events`, and keeps `express.json()` for the rest of its
 * API (`POST /api/orders`).
 *
 * @example
 * const { app } = createApp({ secret: process.env.WEBHOOK_SECRET });
 * app.listen(3000);
 */
export function createApp(options: ExampleAppOptions): { app: Express; inbox: Inbox } {
  const inbox = options.inbox ?? new Inbox();
  const app = express();
  for (const middleware of options.middleware ?? []) app.use(middleware);

  // 1. The webhook route, BEFORE any body parser: webhook() reads the raw bytes itself.
  //    (Stripe's docs teach `express.raw({ type: "*/*" })` on the route instead: that works too.)
  app.post("/webhooks", webhook(webhookOptions(options)), (req, res) => {
    if (req.webhook === undefined) throw new Error("webhook() did not run before this handler");
    // A throw here (or a 5xx) releases the message: the sender's retry is processed.
    inbox.process(req.webhook);
    res.sendStatus(204);
  });

  // 2. Then the app-wide JSON parser, for every route declared after it.
  app.use(express.json());

  // 3. The rest of the app, parsing JSON as usual.
  app.post("/api/orders", (req, res) => {
    res.status(201).json({ received: req.body as unknown });
  });
  app.get("/events", (_req, res) => {
    res.json(inbox.processed);
  });
  app.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });

  app.use(answerErrors);
  return { app, inbox };
}

/**
 * Express's own error handler sends the stack in development: answer a small JSON body
 * instead. A WebhookError a handler threw (`webhook.json()` on a body that is not JSON)
 * answers its status and code; setup mistakes (`body_already_consumed`: a parser ran
 * first) are logged with the fix and answered 500, like any other failure.
 */
const answerErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) return next(error);
  if (isWebhookError(error)) {
    if (error.status >= 500) console.error(`[express example] ${error.message}`);
    res.status(error.status).json(error.toJSON());
    return;
  }
  // express.json()'s refusals (400 bad JSON, 413 too large) carry their status.
  const status = clientErrorStatus(error) ?? 500;
  if (status >= 500) console.error(`[express example] ${error instanceof Error ? error.message : String(error)}`);
  res.status(status).json({
    error: {
      code: status === 500 ? "internal_error" : "bad_request",
      message: status === 500 ? "Internal Server Error" : "Bad Request",
    },
  });
};

function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === "number" && status >= 400 && status < 500 ? status : undefined;
}
