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
// Receiving needs the core's errors, schemes, verifier and replay store: re-exported
// by concern (the core's own subpaths), so this list never drifts from the core.
export * from "@hooksec/core/errors";
export * from "@hooksec/core/schemes";
export * from "@hooksec/core/verifier";
export * from "@hooksec/core/replay";
// Client certificates to tenants (mTLS), for apps that terminate TLS or sit behind nginx.
export * from "@hooksec/core/identity";

