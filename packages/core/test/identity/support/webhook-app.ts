// The receiving application the tests put behind nginx or give TLS itself: a
// plain Node server that hands the raw bytes and the connection to verifyParts,
// the way every hooksec adapter does.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { isWebhookError } from "../../../src/errors/webhook-error.js";
import type { Verifier } from "../../../src/verifier/create-verifier.js";
import type { ConnectionInfo } from "../../../src/verifier/types.js";

interface Seen {
  readonly remoteAddress: string | undefined;
  readonly headers: IncomingMessage["headers"];
}

export interface WebhookApp {
  readonly port: number;
  /** Swap the verifier between tests (same server, same port). */
  verifier: Verifier;
  /** Every request that reached the app, in order. */
  readonly seen: Seen[];
  close(): Promise<void>;
}

export interface AppOptions {
  readonly verifier: Verifier;
  /** Terminate TLS here (Node's `https` with `requestCert`), else plain HTTP behind a proxy. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca: string };
}

export async function startWebhookApp(options: AppOptions): Promise<WebhookApp> {
  const seen: Seen[] = [];
  const app = { verifier: options.verifier };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({ remoteAddress: request.socket.remoteAddress, headers: request.headers });
      void answer(app.verifier, request, new Uint8Array(Buffer.concat(chunks)), response);
    });
  };
  const server: Server = options.tls
    ? createHttpsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ca: options.tls.ca,
          requestCert: true,
          rejectUnauthorized: false,
          minVersion: "TLSv1.3",
        },
        handler,
      )
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get verifier() {
      return app.verifier;
    },
    set verifier(next) {
      app.verifier = next;
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What an adapter fills in: the peer address, and when this process terminated TLS, the peer certificate. */
function connectionOf(request: IncomingMessage): ConnectionInfo {
  const socket = request.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== "function") return { remoteAddress: request.socket.remoteAddress };
  const peer = socket.getPeerCertificate();
  return {
    remoteAddress: request.socket.remoteAddress,
    peerCertificate: peer?.raw,
    peerCertificateVerified: socket.authorized === true,
  };
}

async function answer(verifier: Verifier, request: IncomingMessage, body: Uint8Array, response: ServerResponse) {
  try {
    const webhook = await verifier.verifyParts({
      method: request.method ?? "POST",
      url: `https://127.0.0.1${request.url ?? "/"}`,
      headers: request.headers,
      body,
      connection: connectionOf(request),
    });
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        tenant: webhook.tenant,
        clientIp: webhook.clientIp,
        subject: webhook.certificate?.subject,
        source: webhook.certificate?.source,
        daysUntilExpiry: webhook.certificate?.daysUntilExpiry,
      }),
    );
  } catch (error) {
    if (!isWebhookError(error)) {
      response.writeHead(500).end();
      return;
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
    response.writeHead(error.status, headers);
    response.end(JSON.stringify({ code: error.code, detail: error.detail }));
  }
}
