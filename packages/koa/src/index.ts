// Koa middleware, plus what a Koa app needs from the core so it imports one package.
export {
  type KoaWebhookOptions,
  type WebhookContext,
  type WebhookMiddleware,
  type WebhookState,
  webhook,
} from "./webhook.js";
export * from "@hooksec/core/receiving";
