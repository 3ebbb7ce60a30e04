// `@hooksec/core/schemes`: every signature scheme, each able to sign and verify.
export type { SecretInput, SecretLookup, SecretOptions } from "../keys/secret-input.js";
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
