import { type ExampleAppOptions, createApp } from "./app.js";
import type { FastifyInstance } from "fastify";
import type { Inbox } from "./inbox.js";

export interface StartOptions extends ExampleAppOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
}

export interface RunningExample {
  readonly url: string;
  readonly port: number;
  readonly inbox: Inbox;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Starts the example on loopback: plain HTTP (behind a proxy), or HTTPS with optional mTLS (`tls`). */
export async function start(options: StartOptions): Promise<RunningExample> {
  const { app, inbox } = await createApp(options);
  const host = options.host ?? "127.0.0.1";
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : Number(options.port);
  return {
    url: `${options.tls === undefined ? "http" : "https"}://${host}:${port}`,
    port,
    inbox,
    app,
    close: () => app.close(),
  };
}
