import { WebhookError } from "../../errors/webhook-error.js";
import {
  type AsymmetricKeyOptions,
  asymmetricKeyring,
  hmacKeyring,
  type SignatureKeyring,
} from "../../keys/signature-keyring.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import type { WebhookScheme } from "../types.js";
import { defineSignatureScheme } from "./define-signature-scheme.js";
import type { SignatureFormat } from "./fields.js";
import { type ResolvedSignatureFormat, type SignatureFormatOptions, signatureFormat } from "./signature-format.js";

/** Keys for a format: shared secrets for HMAC, public/private keys for the others. */
export type SignatureKeyOptions = SecretOptions | AsymmetricKeyOptions;

/**
 * Options of {@link signatureScheme}: the signature format, plus a secret (HMAC) or public/private keys (Ed25519, ECDSA, RSA).
 */
export type SignatureSchemeOptions = SignatureFormatOptions & SignatureKeyOptions;

/** The keyring of a single-algorithm format from the options a user passed. */
function keyringFor(
  { format, decodeSecret }: ResolvedSignatureFormat,
  keys: SignatureKeyOptions,
  keyEncoding?: "base64" | "hex",
): SignatureKeyring {
  const algorithm = format.algorithms[0];
  if (algorithm === undefined) throw new WebhookError("invalid_options", `${format.name} has no algorithm`);
  if (typeof keys !== "object" || keys === null)
    throw new WebhookError("invalid_options", `${format.name} needs options with keys`);
  return algorithm.hmac !== undefined
    ? hmacKeyring(keys as SecretOptions, algorithm, decodeSecret)
    : asymmetricKeyring(keys as AsymmetricKeyOptions, algorithm, keyEncoding);
}

/** A scheme from a resolved format and the user's keys (what every preset returns). */
export function formatScheme(
  resolved: ResolvedSignatureFormat,
  keys: SignatureKeyOptions,
  keyEncoding?: "base64" | "hex",
): WebhookScheme {
  return defineSignatureScheme(resolved.format, keyringFor(resolved, keys, keyEncoding));
}

/** A scheme from a hand-written format (Twilio's URL variants, Standard Webhooks' two algorithms). */
export function customScheme(format: SignatureFormat, keyring: SignatureKeyring): WebhookScheme {
  return defineSignatureScheme(format, keyring);
}

/**
 * A scheme for any webhook format not covered by a preset: where the signature is, how it
 * is written, what it covers, and its algorithm (HMAC, Ed25519, ECDSA P-256, RSA PKCS#1 v1.5
 * or PSS). HMAC takes `secret`/`secrets`; the others take `publicKey`/`publicKeys` to verify
 * and `privateKey` to sign (PEM, DER, JWK).
 *
 * @example
 * // RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over the raw body, hex in a header:
 * const partner = signatureScheme({ name: "partner", algorithm: "rsa-pss-sha256", signatureHeader: "x-signature", publicKey: PEM });
 * // Ed25519 over timestamp + body, as Discord signs interactions:
 * const bot = signatureScheme({
 *   name: "bot", algorithm: "ed25519", keyEncoding: "hex", publicKey: process.env.DISCORD_PUBLIC_KEY,
 *   signatureHeader: "x-signature-ed25519", timestampHeader: "x-signature-timestamp", signedContent: "{timestamp}{body}",
 * });
 */
export function signatureScheme(options: SignatureSchemeOptions): WebhookScheme {
  if (typeof options !== "object" || options === null)
    throw new WebhookError("invalid_options", "signatureScheme needs options");
  return formatScheme(signatureFormat(options), options, options.keyEncoding);
}
