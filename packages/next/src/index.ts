// Next.js route handlers, plus what a Next.js app needs from the core so it imports one package.
export { type NextWebhookOptions, type WebhookHandler, errorResponse, withWebhook } from "./with-webhook.js";
export {
  type ReplayStore,
  type VerifierOptions,
  type Verifier,
  type WebhookErrorCode,
  type WebhookEvent,
  type WebhookScheme,
  VerifiedWebhook,
  WebhookError,
  createMemoryReplayStore,
  createVerifier,
  github,
  hmacScheme,
  isWebhookError,
  shopify,
  slack,
  standardWebhooks,
  stripe,
  svix,
  twilio,
} from "@hooksec/core";
