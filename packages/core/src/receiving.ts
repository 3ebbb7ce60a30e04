// `@hooksec/core/receiving`: the curated names every receiving adapter
// re-exports, so an app imports one package: errors, the schemes, the receive
// lifecycle and the types a user writes. One list, kept here, for every adapter;
// everything else stays in the core's own subpaths. Each name is a semver promise.
export { WEBHOOK_ERROR_STATUS, WebhookError, type WebhookErrorCode, isWebhookError } from "./errors/index.js";
export {
  github,
  hmacScheme,
  jwe,
  jws,
  shopify,
  slack,
  standardWebhooks,
  stripe,
  svix,
  twilio,
  type WebhookScheme,
} from "./schemes/index.js";
export {
  createReceiver,
  type Receiver,
  type ReceiverOptions,
  type ReceiveOutcome,
  type WebhookResponse,
} from "./receiver/index.js";
export {
  createVerifier,
  VerifiedWebhook,
  type ConnectionInfo,
  type ReplayOptions,
  type ToleranceOptions,
  type Verifier,
  type WebhookEvent,
  type WebhookEventType,
} from "./verifier/index.js";
export { createMemoryReplayStore, type ReplayStore } from "./replay/index.js";
export {
  createTenantDirectory,
  type IdentityOptions,
  type RateLimitOptions,
  type TenantRule,
} from "./identity/index.js";
