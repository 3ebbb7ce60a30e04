// Koa middleware, plus what a Koa app needs from the core so it imports one package.
export { type KoaWebhookOptions, type WebhookContext, type WebhookMiddleware, type WebhookState, webhook } from "./webhook.js";
export {
  type ConnectionInfo,
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
