// Koa middleware, plus what a Koa app needs from the core so it imports one package.
export { type KoaWebhookOptions, type WebhookContext, type WebhookMiddleware, type WebhookState, webhook } from "./webhook.js";
// Receiving needs the core's errors, schemes, verifier and replay store: re-exported
// by concern (the core's own subpaths), so this list never drifts from the core.
export * from "@hooksec/core/errors";
export * from "@hooksec/core/schemes";
export * from "@hooksec/core/verifier";
export * from "@hooksec/core/replay";
// Client certificates to tenants (mTLS), for apps that terminate TLS or sit behind nginx.
export * from "@hooksec/core/identity";

