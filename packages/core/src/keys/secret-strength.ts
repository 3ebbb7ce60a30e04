import { WebhookError } from "../errors/webhook-error.js";
import { decodeBase64 } from "../lib/base64.js";

/** The shortest HMAC key accepted: 128 bits (Standard Webhooks asks for 24 to 64 bytes). */
export const MIN_HMAC_KEY_BYTES = 16;

const HOW_TO_MAKE_ONE = "make one with `hooksec secret` (32 random bytes, whsec_ base64)";

/** Refuses an HMAC key shorter than `MIN_HMAC_KEY_BYTES` with `invalid_options`. */
export function requireStrongHmacKey(bytes: Uint8Array): Uint8Array {
  if (bytes.length < MIN_HMAC_KEY_BYTES) {
    throw new WebhookError(
      "invalid_options",
      `an HMAC secret must be at least ${MIN_HMAC_KEY_BYTES} bytes, this one is ${bytes.length}: ${HOW_TO_MAKE_ONE}`,
    );
  }
  return bytes;
}

// Random base64 of 16+ bytes is all one case of letters with a probability under 1e-9;
// a word or passphrase typed where base64 is expected nearly always is.
const SINGLE_CASE_WORD = /^(?:[a-z]+|[A-Z]+)$/;

/**
 * A secret written as base64 (after any prefix such as `whsec_`): `undefined` when it is not
 * base64; `invalid_options` when it reads as a plain word, which base64 would silently turn
 * into a key with the entropy of the word.
 */
export function decodeBase64Secret(text: string): Uint8Array | undefined {
  if (SINGLE_CASE_WORD.test(text)) {
    throw new WebhookError(
      "invalid_options",
      `the secret is a plain word, not base64 of random bytes: ${HOW_TO_MAKE_ONE}`,
    );
  }
  return decodeBase64(text);
}
