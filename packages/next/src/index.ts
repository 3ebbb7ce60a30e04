// Next.js route handlers, plus what a Next.js app needs from the core so it imports one package.
export {
  type ConnectionOption,
  type NextReceiverOptions,
  type NextWebhookOptions,
  type WebhookHandler,
  errorResponse,
  withWebhook,
} from "./with-webhook.js";
export * from "@hooksec/core/receiving";
