// Named re-exports only: one line per public concern.
export { WEBHOOK_ERROR_STATUS, type WebhookErrorCode } from "./errors/codes.js";
export { WebhookError, isWebhookError } from "./errors/webhook-error.js";
export type { HeaderSource } from "./lib/headers.js";
export type { SecretInput, SecretLookup, SecretOptions } from "./keys/secret-input.js";
export type { ReplayStore } from "./replay/replay-store.js";
export { createMemoryReplayStore, type MemoryReplayStoreOptions } from "./replay/memory-replay-store.js";
export type {
  EncodedWebhook,
  IncomingWebhook,
  OutgoingWebhook,
  SchemeVerification,
  SignedHeaders,
  WebhookScheme,
} from "./schemes/types.js";
export {
  standardWebhooks,
  type StandardWebhooksKeyOptions,
  type StandardWebhooksOptions,
} from "./schemes/standard-webhooks/standard-webhooks.js";
export { svix, type SvixOptions } from "./schemes/standard-webhooks/svix.js";
export {
  hmacScheme,
  type HmacSchemeFormatOptions,
  type HmacSchemeOptions,
  type MacEncoding,
  type SignatureParams,
} from "./schemes/hmac/hmac-scheme.js";
export { github, type GithubOptions } from "./schemes/providers/github.js";
export { shopify, type ShopifyOptions } from "./schemes/providers/shopify.js";
export { slack, type SlackOptions } from "./schemes/providers/slack.js";
export { stripe, type StripeOptions } from "./schemes/providers/stripe.js";
export { twilio, type TwilioOptions } from "./schemes/providers/twilio.js";
export { jws, type JwsAlgorithm, type JwsOptions } from "./schemes/jose/jws.js";
export {
  jwe,
  type JweContentAlgorithm,
  type JweDecryptionKey,
  type JweKeyAlgorithm,
  type JweOptions,
} from "./schemes/jose/jwe.js";
export type { JoseKeyInput } from "./schemes/jose/signing-key.js";
export type { JwksInput, RemoteJwksOptions } from "./keys/jwks.js";
export { createVerifier, type Verifier } from "./verifier/create-verifier.js";
export {
  canonicalDistinguishedName,
  dnAttributeValues,
  formatDistinguishedName,
  parseDistinguishedName,
  type DistinguishedName,
  type DnAttribute,
  type DnFormat,
  type RelativeDistinguishedName,
} from "./identity/distinguished-name.js";
export { normalizeFingerprint, parseCertificate, type ParsedCertificate } from "./identity/certificate.js";
export { createIpMatcher, parseIpAddress, type IpMatcher } from "./identity/ip.js";
export { resolveClientIp } from "./identity/client-ip.js";
export {
  createTenantDirectory,
  type ClientCertificateInfo,
  type TenantDirectory,
  type TenantMatch,
  type TenantResolver,
  type TenantRule,
} from "./identity/tenants.js";
export type { IdentityOptions, ProxyHeaderNames } from "./identity/identity-options.js";
export type { RateLimiter, RateLimitOptions } from "./identity/rate-limit.js";
export type { AccessResult } from "./verifier/access.js";
export { VerifiedWebhook } from "./verifier/verified-webhook.js";
export type {
  ConnectionInfo,
  ReplayOptions,
  ToleranceOptions,
  VerifierOptions,
  WebhookEvent,
  WebhookParts,
} from "./verifier/types.js";
export { createSender } from "./sender/create-sender.js";
export { createFetchTransport, type FetchTransportOptions } from "./sender/transport/fetch.js";
export { TokenRequestError } from "./sender/oauth2-token-cache.js";
export { createAddressGuard, type AddressGuard, type SsrfOptions } from "./sender/ssrf/address-guard.js";
export { classifyAddress, type AddressCategory, type AddressClassification } from "./sender/ssrf/classify-address.js";
export type {
  AttemptEvent,
  AttemptOutcome,
  ClientTls,
  DeliveryResult,
  Endpoint,
  OutboundAuth,
  RetryOptions,
  SendOptions,
  Sender,
  SenderOptions,
  TimeoutOptions,
  Transport,
  TransportContext,
  TransportFactory,
  TransportRequest,
  TransportResponse,
} from "./sender/types.js";
