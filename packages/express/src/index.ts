// Express middleware, plus what an Express app needs from the core so it imports one package.
export { type ExpressWebhookOptions, type WebhookRequest, type WebhookRequestHandler, webhook } from "./webhook.js";
export * from "@hooksec/core/receiving";
