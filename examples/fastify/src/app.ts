import {
  type ReceiverOptions,
  type TenantRule,
  type WebhookEvent,
  createMemoryReplayStore,
  standardWebhooks,
  webhook,
} from "@hooksec/fastify";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import { Inbox } from "./inbox.js";

export interface TlsOptions {
  readonly key: string;
  readonly cert: string;
  /** CA of the client certificates: asks every client for one (mTLS). */
  readonly ca?: string;
}

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
  /** Largest body accepted on the webhook routes (Fastify's `bodyLimit` does not apply there). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Every verification and refusal, with its code and detail: log it. */
  readonly onEvent?: (event: WebhookEvent) => void;
  /** Node terminates TLS itself (and asks for client certificates when `ca` is set). */
  readonly tls?: TlsOptions;
  /** Fastify's logger. Default: warnings and errors (setup mistakes, handler failures). */
  readonly logger?: FastifyServerOptions["logger"];
  /** Runs in the webhook routes' scope after the plugin (the tests show what a JSON parser put back there does). */
  readonly webhookScope?: (scope: FastifyInstance) => void;
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
 * A Fastify app that receives Standard Webhooks on `POST /webhooks` (the
 * `@hooksec/fastify` plugin in that route's own scope), lists what it processed
 * on `GET /events`, and keeps Fastify's JSON parsing for the rest of its API
 * (`POST /api/orders`). Not listening yet: `app.listen(...)`, or `start(options)`.
 *
 * @example
 * const { app } = await createApp({ secret: process.env.WEBHOOK_SECRET });
 * await app.listen({ port: 3000 });
 */
export async function createApp(options: ExampleAppOptions): Promise<{ app: FastifyInstance; inbox: Inbox }> {
  const inbox = options.inbox ?? new Inbox();
  const app = createFastify(options);
  app.setErrorHandler(answerErrors);

  // The webhook routes get a scope of their own: the plugin replaces the content-type
  // parsers there (raw bytes) and nowhere else; encapsulation keeps JSON for the app.
  await app.register(async function webhookRoutes(scope) {
    await scope.register(webhook, webhookOptions(options));
    options.webhookScope?.(scope);
    scope.post("/webhooks", async (request, reply) => {
      if (request.webhook === undefined) throw new Error("the webhook plugin did not run in this scope");
      // A throw here (or a 5xx) releases the message: the sender's retry is processed.
      inbox.process(request.webhook);
      return reply.code(204).send();
    });
  });

  // The rest of the app: Fastify's JSON parser, untouched.
  app.post("/api/orders", async (request, reply) => reply.code(201).send({ received: request.body }));
  app.get("/events", async () => inbox.processed);
  app.get("/healthz", async () => ({ ok: true }));
  return { app, inbox };
}

function createFastify(options: ExampleAppOptions): FastifyInstance {
  const logger = options.logger ?? { level: "warn" };
  const { tls } = options;
  if (tls === undefined) return Fastify({ logger });
  return Fastify({
    logger,
    // The TLS handshake lets every client in; the verifier then refuses a missing or
    // unverified certificate with a clear code (client_certificate_required, ..._invalid).
    https: { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: tls.ca !== undefined, rejectUnauthorized: false },
  });
}

/**
 * Fastify's default error handler puts the error's message in a 500: answer a small
 * JSON body instead, and let the log keep the detail. Client errors from Fastify
 * (bad JSON on the API routes: 400) keep their status. The webhook scope's own
 * handler (the plugin's) answers webhook refusals before this one.
 */
function answerErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status =
    typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    reply.log.error({ err: error }, error.message);
    return reply.code(500).send({ error: { code: "internal_error", message: "Internal Server Error" } });
  }
  return reply.code(status).send({ error: { code: "bad_request", message: "Bad Request" } });
}
