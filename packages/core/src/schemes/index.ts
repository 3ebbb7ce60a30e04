// `@hooksec/core/schemes`: every signature scheme, each able to sign and verify.
export type { SecretInput, SecretLookup, SecretOptions } from "../keys/secret-input.js";
export type { HashAlgorithm } from "../crypto/types.js";
export type { HeaderReader } from "../lib/headers.js";
export type { Awaitable } from "../lib/awaitable.js";
export type {
  EncodedWebhook,
  IncomingWebhook,
  OutgoingWebhook,
  SchemeVerification,
  SignedHeaders,
  WebhookScheme,
} from "./types.js";
export {
  standardWebhooks,
  type StandardWebhooksKeyOptions,
  type StandardWebhooksOptions,
} from "./standard-webhooks/standard-webhooks.js";
export { svix, type SvixOptions } from "./standard-webhooks/svix.js";
export {
  hmacScheme,
  type HmacSchemeFormatOptions,
  type HmacSchemeOptions,
  type MacEncoding,
  type SignatureParams,
} from "./hmac/hmac-scheme.js";
export {
  signatureScheme,
  type SignatureKeyOptions,
  type SignatureSchemeOptions,
} from "./signature/signature-scheme.js";
export type { SignatureFormatOptions, SignatureLayoutOptions } from "./signature/signature-format.js";
export type { AlgorithmParameters, EcdsaSignatureEncoding, SignatureAlgorithm } from "./signature/algorithm.js";
export type { AsymmetricKeyOptions } from "../keys/signature-keyring.js";
export type { KeyInput, KeyLookup } from "../keys/asymmetric-keys.js";
export { github, type GithubOptions } from "./providers/github.js";
export { shopify, type ShopifyOptions } from "./providers/shopify.js";
export { slack, type SlackOptions } from "./providers/slack.js";
export { stripe, type StripeOptions } from "./providers/stripe.js";
export { twilio, type TwilioOptions } from "./providers/twilio.js";
export { discord, type DiscordOptions } from "./providers/discord.js";
export { sendgrid, type SendgridOptions } from "./providers/sendgrid.js";
export { paddle, type PaddleOptions } from "./providers/paddle.js";
export { lemonSqueezy, type LemonSqueezyOptions } from "./providers/lemon-squeezy.js";
export { linear, type LinearOptions } from "./providers/linear.js";
export { clerk, type ClerkOptions, resend, type ResendOptions } from "./providers/svix-based.js";
export { zoom, type ZoomOptions, type ZoomUrlValidationResponse, zoomUrlValidation } from "./providers/zoom.js";
export { hubspot, type HubspotOptions } from "./providers/hubspot.js";
export { square, type SquareOptions } from "./providers/square.js";
export { typeform, type TypeformOptions } from "./providers/typeform.js";
export { vercel, type VercelOptions } from "./providers/vercel.js";
export { intercom, type IntercomOptions } from "./providers/intercom.js";
export { meta, type MetaOptions } from "./providers/meta.js";
export { gitlab, type GitlabOptions } from "./providers/gitlab.js";
export { telegram, type TelegramOptions } from "./providers/telegram.js";
export { postmark, type PostmarkOptions } from "./providers/postmark.js";
export type { SharedTokenScheme } from "./providers/shared-token.js";
export type { PaypalCertificateFetcher, PaypalOptions } from "./providers/paypal.js";
export type { PlaidKeyFetcher, PlaidOptions, PlaidVerificationKey } from "./providers/plaid.js";
export type { KeyCacheOptions } from "./providers/plaid-paypal-key-cache.js";
export { providers, type ProviderName } from "./providers/registry.js";
export type { Provider, ProviderInfo, ProviderKeys } from "./providers/provider.js";
export { jws, type JwsAlgorithm, type JwsOptions } from "./jose/jws.js";
export {
  jwe,
  type JweContentAlgorithm,
  type JweDecryptionKey,
  type JweKeyAlgorithm,
  type JweOptions,
} from "./jose/jwe.js";
export type { JoseKeyInput } from "./jose/signing-key.js";
export type { JwksInput, RemoteJwksOptions } from "../keys/jwks.js";
