/**
 * Node.js and OpenSSL codes for a peer certificate that does not verify: not trusted,
 * expired, not yet valid, revoked, for another name, or otherwise unusable.
 */
const CERTIFICATE_VERIFICATION_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * The endpoint's (or token endpoint's) TLS certificate did not verify. A setup error, not a
 * transient one: the sender reports it once (outcome `rejected`) instead of retrying.
 * Callers check `code`; `reason` is the Node.js/OpenSSL code (e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`).
 */
export class TlsCertificateError extends Error {
  override readonly name = "TlsCertificateError";
  readonly code = "tls_certificate_invalid";
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the server's TLS certificate did not verify (${reason})`, options);
    this.reason = reason;
  }
}

/** A `TlsCertificateError` when `error` (or an error in its `cause` chain) is a certificate failure. */
export function asTlsCertificateError(error: unknown): TlsCertificateError | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if (current instanceof TlsCertificateError) return current;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CERTIFICATE_VERIFICATION_CODES.has(code))
      return new TlsCertificateError(code, { cause: error });
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
