// Hapi plugin and auth scheme, plus what a Hapi app needs from the core so it imports one package.
export {
  type HapiWebhookOptions,
  type WebhookCredentials,
  type WebhookPluginOptions,
  getWebhook,
  plugin,
  rawPayload,
} from "./plugin.js";
export type { WebhookBoomData } from "./to-boom.js";
export * from "@hooksec/core/receiving";
