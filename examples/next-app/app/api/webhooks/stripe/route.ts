import { stripe, withWebhook } from "@hooksec/next";

// A provider preset, on the edge runtime: verified with Web Crypto, no Node APIs.
export const runtime = "edge";

export const POST = withWebhook(
  () => ({ scheme: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET ?? "" }) }),
  async (webhook) => {
    const event = webhook.json<{ id: string; type: string }>();
    // A real app hands the event to its queue here.
    return Response.json({ received: event.type, id: webhook.id, runtime: "edge" });
  },
);
