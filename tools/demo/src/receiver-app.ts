// The receiving app the lifecycle and delivery scenarios run: what a user
// writes with @hooksec/koa. webhook() verifies the raw bytes and owns the
// lifecycle (claim, 409 while in progress, 200 for a duplicate, release on a
// crash); the handler after it only does the work.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Router from "@koa/router";
import { type ReceiverOptions, type VerifiedWebhook, type WebhookState, webhook } from "@hooksec/koa";
import Koa from "koa";

export interface ReceiverAppOptions {
  readonly receiver: ReceiverOptions;
  /** The work: runs at most once to success per message id. Throwing fails the delivery (not acknowledged). */
  readonly handle: (webhook: VerifiedWebhook) => Promise<void>;
  /** Default 0: any free port. */
  readonly port?: number;
}

export interface ReceiverApp {
  /** `http://127.0.0.1:<port>/webhooks` */
  readonly url: string;
  /** What the handler threw, as Koa's error handler saw it. */
  readonly crashes: Error[];
  close(): Promise<void>;
}

export async function startReceiverApp(options: ReceiverAppOptions): Promise<ReceiverApp> {
  const crashes: Error[] = [];
  const app = new Koa<WebhookState>();
  // A handler that throws reaches Koa's error handler (500): log it; the message is already released.
  app.on("error", (error: Error) => void crashes.push(error));
  const router = new Router<WebhookState>();
  router.post("/webhooks", webhook(options.receiver), async (ctx) => {
    await options.handle(ctx.state.webhook);
    ctx.status = 204;
  });
  app.use(router.routes());

  const server = createServer(app.callback());
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    crashes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
