import type { WebhookErrorCode } from "../../errors/codes.js";
import { WebhookError, isWebhookError } from "../../errors/webhook-error.js";

/** Where the JOSE object came from, so a malformed one gets the right 400 code. */
export type JoseLocation = "body" | "header";

interface JoseErrorLike {
  readonly code?: unknown;
  readonly claim?: unknown;
  readonly message?: unknown;
}

const CLAIM_CODES: Record<string, WebhookErrorCode> = {
  nbf: "timestamp_in_future",
  exp: "timestamp_too_old",
  iss: "claim_mismatch",
  aud: "claim_mismatch",
  sub: "claim_mismatch",
  typ: "claim_mismatch",
};

/**
 * Translates anything `jose` throws into a `WebhookError` with a code a caller
 * can switch on; the original error stays as `cause` for the logs.
 */
export function toWebhookError(error: unknown, location: JoseLocation): WebhookError {
  if (isWebhookError(error)) return error;
  const malformed: WebhookErrorCode = location === "body" ? "malformed_body" : "malformed_header";
  const jose = (typeof error === "object" && error !== null ? error : {}) as JoseErrorLike;
  const detail = typeof jose.message === "string" ? jose.message : "JOSE processing failed";
  let code: WebhookErrorCode;
  switch (jose.code) {
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      code = "invalid_signature";
      break;
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      code = "key_not_found";
      break;
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      code = "algorithm_not_allowed";
      break;
    case "ERR_JWE_DECRYPTION_FAILED":
      code = "decryption_failed";
      break;
    case "ERR_JWT_EXPIRED":
      code = "timestamp_too_old";
      break;
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      code = (typeof jose.claim === "string" ? CLAIM_CODES[jose.claim] : undefined) ?? malformed;
      break;
    case "ERR_JWKS_TIMEOUT":
    case "ERR_JWKS_INVALID":
      code = "key_set_unavailable";
      break;
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, ERR_JWE_INVALID, ERR_JWK_INVALID and anything unexpected
      code = malformed;
  }
  return new WebhookError(code, detail, { cause: error });
}
