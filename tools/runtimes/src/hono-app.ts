// The same receiver as a Hono app with @hooksec/hono's webhook() middleware,
// mounted at /hono/webhooks in every runtime's server.
import { Hono } from "hono";
import { type WebhookEnv, standardWebhooks, webhook } from "@hooksec/hono";

export function createHonoApp(secret: string, maxBodyBytes: number): Hono<WebhookEnv> {
  const app = new Hono<WebhookEnv>();
  app.post("/hono/webhooks", webhook({ scheme: standardWebhooks({ secret }), maxBodyBytes }), async (c) => {
    if (c.req.query("slow") !== undefined) await new Promise((resolve) => setTimeout(resolve, 500));
    const { id } = c.get("webhook");
    return c.body(null, 204, { "x-webhook-id": id });
  });
  return app;
}
