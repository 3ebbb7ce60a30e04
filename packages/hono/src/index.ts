// Hono middleware, plus what a Hono app needs from the core so it imports one package.
export { type HonoWebhookOptions, type HonoWebhookSettings, type WebhookEnv, webhook } from "./webhook.js";
export * from "@hooksec/core/receiving";
