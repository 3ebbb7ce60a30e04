import { standardWebhooks, withWebhook } from "@hooksec/next";
import { processEvent } from "@/lib/inbox";

// Standard Webhooks. The options are a function: it runs on the first request,
// so `next build` does not need the secret.
export const POST = withWebhook(
  () => ({
    scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET ?? "" }),
    maxBodyBytes: Number(process.env.WEBHOOK_MAX_BODY_BYTES ?? 1_048_576),
    onEvent: (event) => {
      if (event.type === "rejected") console.warn(`webhook refused: ${event.code} (${event.detail})`);
    },
  }),
  async (webhook) => {
    processEvent(webhook, "standard-webhooks");
    return new Response(null, { status: 204 });
  },
);
