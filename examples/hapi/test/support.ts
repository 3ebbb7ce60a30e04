import type Hapi from "@hapi/hapi";
import { getWebhook } from "@hooksec/hapi";
export { type RunningExample, start } from "../src/index.js";

/** The classic mistake: a webhook route that keeps Hapi's default payload parsing. */
export function getWebhookRoute(path: string, example: { inbox: { process: (webhook: ReturnType<typeof getWebhook>) => unknown } }): Hapi.ServerRoute {
  return {
    method: "POST",
    path,
    options: { auth: "webhooks" },
    handler: (request, h) => {
      example.inbox.process(getWebhook(request));
      return h.response().code(204);
    },
  };
}
