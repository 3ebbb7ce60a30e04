import { Hono } from "hono";
import { type WebhookEnv, standardWebhooks, webhook } from "@hooksec/hono";
import { Inbox } from "./inbox.js";

export interface ExampleAppOptions {
  /** The Standard Webhooks secret (`whsec_...`) senders sign with. */
  readonly secret: string;
  /** Largest body accepted. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  readonly inbox?: Inbox;
}

/**
 * A Hono app that receives Standard Webhooks on `POST /webhooks` and lists what
 * it processed on `GET /events`. Web standards only: src/worker.ts serves it as
 * a Cloudflare Worker; the same app runs on Node.js, Bun and Deno.
 *
 * @example
 * const app = createApp({ secret: env.WEBHOOK_SECRET });
 * return app.fetch(request, env);
 */
export function createApp(options: ExampleAppOptions): Hono<WebhookEnv> {
  const inbox = options.inbox ?? new Inbox();
  const app = new Hono<WebhookEnv>();

  // No replay store given: the default one, in this isolate's memory (see the README).
  const receiveWebhook = webhook({
    scheme: standardWebhooks({ secret: options.secret }),
    maxBodyBytes: options.maxBodyBytes,
  });

  app.post("/webhooks", receiveWebhook, (c) => {
    // A throw here (or a 5xx) releases the message: the sender's retry is processed.
    inbox.process(c.get("webhook"));
    return c.body(null, 204);
  });
  app.get("/events", (c) => c.json(inbox.processed));
  app.get("/healthz", (c) => c.json({ ok: true }));

  // Generic on the wire, the detail in the Worker's log (`wrangler tail`). A refusal the
  // handler throws (webhook.json() on a body that is not JSON) is answered by webhook().
  app.onError((error, c) => {
    console.error(`[hono worker example] ${error.message}`);
    return c.json(INTERNAL_ERROR, 500);
  });
  return app;
}

export const INTERNAL_ERROR = { error: { code: "internal_error", message: "Internal Server Error" } } as const;
