// `@hooksec/core/verifier`: createVerifier and what it returns.
export type { HeaderSource } from "../lib/headers.js";
export type { BodySource } from "../lib/read-body.js";
export { createVerifier, type Verifier } from "./create-verifier.js";
export type { AccessResult } from "./steps/access.js";
export { VerifiedWebhook } from "./verified-webhook.js";
export type {
  ConnectionInfo,
  ReplayOptions,
  ToleranceOptions,
  VerifierOptions,
  WebhookEvent,
  WebhookEventType,
  WebhookParts,
} from "./types.js";
