import type { HashAlgorithm } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { hmacAlgorithm } from "../signature/algorithm.js";
import { type SignatureLayoutOptions, signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";

export type { MacEncoding, SignatureParams } from "../signature/signature-format.js";

/** The fields of a declarative HMAC format (everything but the secrets). */
export interface HmacSchemeFormatOptions extends SignatureLayoutOptions {
  /** Default "SHA-256". */
  readonly algorithm?: HashAlgorithm;
}

/** Options of {@link hmacScheme}: where the MAC is and what it covers, plus the secret(s) that key it. */
export type HmacSchemeOptions = HmacSchemeFormatOptions & SecretOptions;

/**
 * A scheme for any HMAC webhook format not covered by a preset: where the MAC
 * is, how it is written, and what it covers. (`signatureScheme` does the same for
 * every algorithm; this is its HMAC form.)
 *
 * @example
 * const acme = hmacScheme({
 *   name: "acme",
 *   secret: process.env.ACME_SECRET,
 *   signatureHeader: "x-acme-signature",
 *   prefix: "sha256=",
 *   timestampHeader: "x-acme-timestamp",
 *   signedContent: "{timestamp}.{body}",
 * });
 */
export function hmacScheme(options: HmacSchemeOptions): WebhookScheme {
  if (typeof options !== "object" || options === null)
    throw new WebhookError("invalid_options", "hmacScheme needs options");
  const algorithm = hmacAlgorithm(options.algorithm ?? "SHA-256");
  return formatScheme(signatureFormat({ ...options, algorithm }), options);
}
