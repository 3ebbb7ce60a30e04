// The receiver each runtime serves on loopback: Standard Webhooks through
// createReceiver (memory replay store, 1 KiB body limit), answered with the
// runtime's own Response. The test sends it real HTTP requests.
import { createReceiver, standardWebhooks, type WebhookResponse } from "@hooksec/core";
import { createHonoApp } from "./hono-app.ts";

export const MAX_BODY_BYTES = 1024;

function refusal(response: WebhookResponse): Response {
  const headers: Record<string, string> = { ...response.headers, "content-type": "application/json" };
  if (response.closeConnection) headers.connection = "close";
  return new Response(JSON.stringify(response.body), { status: response.status, headers });
}

/**
 * A fetch handler: POST /webhooks verifies through the core's receiver and answers
 * 204 with the message id; /hono/* is the Hono app; anything else is 404.
 */
export function createApp(secret: string): (request: Request) => Promise<Response> {
  const receiver = createReceiver({ scheme: standardWebhooks({ secret }), maxBodyBytes: MAX_BODY_BYTES });
  const hono = createHonoApp(secret, MAX_BODY_BYTES);
  return async (request) => {
    if (new URL(request.url).pathname.startsWith("/hono/")) return hono.fetch(request);
    if (request.method !== "POST" || new URL(request.url).pathname !== "/webhooks")
      return new Response("not found", { status: 404 });
    const outcome = await receiver.receive(request, async (webhook) => {
      if (new URL(request.url).searchParams.has("slow")) await new Promise((resolve) => setTimeout(resolve, 500));
      return new Response(null, { status: 204, headers: { "x-webhook-id": webhook.id } });
    });
    return outcome.handled ? outcome.result : refusal(outcome.response);
  };
}
