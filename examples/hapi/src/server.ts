import Hapi from "@hapi/hapi";
import {
  type ReceiverOptions,
  type TenantRule,
  type WebhookEvent,
  getWebhook,
  plugin,
  rawPayload,
  standardWebhooks,
} from "@hooksec/hapi";
import { Inbox } from "./inbox.js";

export interface ExampleServerOptions {
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
  /** Largest body accepted: the receiver reads the raw stream within it (413 past it). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Every verification and refusal, with its code and detail: log it. */
  readonly onEvent?: (event: WebhookEvent) => void;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Node terminates TLS itself, and asks for client certificates when `ca` is set. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca?: string };
  readonly inbox?: Inbox;
}

/** The receiver options this server uses, built from its own options. */
export function webhookOptions(options: ExampleServerOptions): ReceiverOptions {
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
 * A Hapi server that receives Standard Webhooks on `POST /webhooks` (the
 * `webhooks` auth strategy) and lists what it processed on `GET /events`.
 * Not started: call `server.start()`, or use `start(options)`.
 *
 * @example
 * const { server } = await createServer({ secret: process.env.WEBHOOK_SECRET });
 * await server.start();
 */
export async function createServer(options: ExampleServerOptions): Promise<{ server: Hapi.Server; inbox: Inbox }> {
  const inbox = options.inbox ?? new Inbox();
  const server = Hapi.server({
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    // The TLS handshake lets every client in; the verifier then refuses a missing or
    // unverified certificate with a clear code (client_certificate_required, ..._invalid).
    tls:
      options.tls === undefined
        ? undefined
        : { ...options.tls, requestCert: options.tls.ca !== undefined, rejectUnauthorized: false },
  });
  await server.register(plugin);
  server.auth.strategy("webhooks", "webhook", webhookOptions(options));

  server.route({
    method: "POST",
    path: "/webhooks",
    // The scheme reads the raw request stream itself: no payload parsing on this route.
    options: { auth: "webhooks", payload: rawPayload },
    handler: (request, h) => {
      inbox.process(getWebhook(request));
      return h.response().code(204);
    },
  });
  server.route({ method: "GET", path: "/events", handler: () => inbox.processed });
  server.route({ method: "GET", path: "/healthz", handler: () => ({ ok: true }) });
  return { server, inbox };
}

export interface RunningExample {
  readonly url: string;
  readonly port: number;
  readonly server: Hapi.Server;
  readonly inbox: Inbox;
  close(): Promise<void>;
}

/** Creates and starts the server on loopback. */
export async function start(options: ExampleServerOptions): Promise<RunningExample> {
  const { server, inbox } = await createServer(options);
  await server.start();
  const port = Number(server.info.port);
  const protocol = options.tls === undefined ? "http" : "https";
  return {
    url: `${protocol}://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    server,
    inbox,
    close: () => server.stop({ timeout: 1000 }),
  };
}
