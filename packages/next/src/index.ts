// Next.js route handlers, plus what a Next.js app needs from the core so it imports one package.
export { type NextWebhookOptions, type WebhookHandler, errorResponse, withWebhook } from "./with-webhook.js";
// Receiving needs the core's errors, schemes, verifier and replay store: re-exported
// by concern (the core's own subpaths), so this list never drifts from the core.
export * from "@hooksec/core/errors";
export * from "@hooksec/core/schemes";
export * from "@hooksec/core/verifier";
export * from "@hooksec/core/replay";

