import { once } from "node:events";
import { type Server, createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type ExampleAppOptions, createApp } from "./app.js";
import type { Inbox } from "./inbox.js";

export interface TlsOptions {
  readonly key: string;
  readonly cert: string;
  /** CA of the client certificates: asks every client for one (mTLS). */
  readonly ca?: string;
}

export interface StartOptions extends ExampleAppOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Node terminates TLS itself (and asks for client certificates when `ca` is set). */
  readonly tls?: TlsOptions;
}

export interface RunningExample {
  readonly url: string;
  readonly port: number;
  readonly inbox: Inbox;
  readonly server: Server;
  close(): Promise<void>;
}

/** Starts the example on loopback: plain HTTP (behind a proxy), or HTTPS with optional mTLS. */
export async function start(options: StartOptions): Promise<RunningExample> {
  const { app, inbox } = createApp(options);
  const tls = options.tls;
  const server: Server =
    tls === undefined
      ? createServer(app)
      : createHttpsServer(
          {
            key: tls.key,
            cert: tls.cert,
            ca: tls.ca,
            requestCert: tls.ca !== undefined,
            // The TLS handshake lets every client in; the verifier then refuses a missing
            // or unverified certificate with a clear code (client_certificate_required,
            // client_certificate_invalid) that shows up in the logs and in onEvent.
            rejectUnauthorized: false,
          },
          app,
        );
  const host = options.host ?? "127.0.0.1";
  server.listen(options.port ?? 0, host);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls === undefined ? "http" : "https"}://${host}:${port}`,
    port,
    inbox,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
