import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from "jose";
import { WebhookError } from "../../errors/webhook-error.js";
import { encodeBase64 } from "../../lib/base64.js";
import { decodeUtf8Strict, toBytes } from "../../lib/utf8.js";
import { cryptoBackend } from "#crypto";
import type { IncomingWebhook, OutgoingWebhook, SchemeVerification, WebhookScheme } from "../types.js";
import { checkAllowlist } from "./header-policy.js";
import { toWebhookError } from "./jose-errors.js";
import { type JoseKeyInput, kidOf, lazyKey } from "./signing-key.js";

/**
 * How a JWE's content key is encrypted to the receiver: RSA-OAEP or ECDH-ES only
 * (no RSA1_5, no direct shared keys), so only the private key's holder can decrypt.
 */
export type JweKeyAlgorithm =
  | "RSA-OAEP-256"
  | "ECDH-ES+A256KW"
  | "ECDH-ES+A128KW"
  | "ECDH-ES"
  | "RSA-OAEP-384"
  | "RSA-OAEP-512";

/** How a JWE's payload is encrypted: AES-GCM only (authenticated encryption). */
export type JweContentAlgorithm = "A256GCM" | "A128GCM" | "A192GCM";

// Keyed by the types, so the compiler refuses a list that misses or adds an algorithm.
const JWE_KEY_ALGORITHM_SET: { readonly [algorithm in JweKeyAlgorithm]: true } = {
  "RSA-OAEP-256": true,
  "ECDH-ES+A256KW": true,
  "ECDH-ES+A128KW": true,
  "ECDH-ES": true,
  "RSA-OAEP-384": true,
  "RSA-OAEP-512": true,
};
const JWE_CONTENT_ALGORITHM_SET: { readonly [algorithm in JweContentAlgorithm]: true } = {
  A256GCM: true,
  A128GCM: true,
  A192GCM: true,
};
const JWE_KEY_ALGORITHMS = Object.keys(JWE_KEY_ALGORITHM_SET) as readonly JweKeyAlgorithm[];
const JWE_CONTENT_ALGORITHMS = Object.keys(JWE_CONTENT_ALGORITHM_SET) as readonly JweContentAlgorithm[];

/** A decryption key, with the `kid` it answers to (default the JWK's own). */
export interface JweDecryptionKey {
  readonly key: JoseKeyInput;
  readonly kid?: string;
  /** The key management algorithm this key is for. */
  readonly alg: JweKeyAlgorithm;
}

/**
 * Options of {@link jwe}: the receiver's private key(s) or the sender's public key, the allowed algorithms, and the `inner` scheme that authenticates the plaintext.
 */
export interface JweOptions {
  /**
   * The scheme that authenticates the plaintext (usually a `jws`). Encryption proves
   * nothing about the sender, so it is required unless `allowUnauthenticated: true`.
   */
  readonly inner?: WebhookScheme;
  /** Accept plaintext no inner scheme authenticates (not recommended): says so explicitly. */
  readonly allowUnauthenticated?: boolean;
  /** Receiver: a private key (with `alg`) or several (`privateKeys`, during a rotation). */
  readonly privateKey?: JoseKeyInput;
  readonly privateKeys?: readonly JweDecryptionKey[];
  /** Sender: the receiver's public key. */
  readonly publicKey?: JoseKeyInput;
  /** Key management algorithm: for `privateKey` and `publicKey`. Default "RSA-OAEP-256". */
  readonly alg?: JweKeyAlgorithm;
  /** Content encryption. Default "A256GCM". */
  readonly enc?: JweContentAlgorithm;
  /** Receiver allowlists. Default: the `alg`s of the keys, and ["A256GCM"]. */
  readonly keyAlgorithms?: readonly JweKeyAlgorithm[];
  readonly contentAlgorithms?: readonly JweContentAlgorithm[];
  /** `kid` written when encrypting; default the JWK's own. */
  readonly kid?: string;
}

/**
 * JWE webhooks: the body is a compact JWE whose plaintext the `inner` scheme
 * verifies (sign with inner, then encrypt; decrypt, then verify with inner).
 * Keys never come from the message; `alg` and `enc` come from allowlists.
 *
 * `encode()` returns the encrypted body with the inner scheme's headers; `sign()`
 * throws `invalid_options`, since the body itself changes.
 *
 * @example
 * const receiver = jwe({ privateKey, alg: "ECDH-ES+A256KW", inner: jws({ jwks, algorithms: ["ES256"] }) });
 * const sender = jwe({ publicKey, alg: "ECDH-ES+A256KW", inner: jws({ privateKey: signingKey, alg: "ES256" }) });
 */
export function jwe(options: JweOptions): WebhookScheme {
  if (typeof options !== "object" || options === null) throw new WebhookError("invalid_options", "jwe needs options");
  const { inner } = options;
  if (inner === undefined && options.allowUnauthenticated !== true) {
    throw new WebhookError(
      "invalid_options",
      "jwe needs an `inner` scheme that authenticates the plaintext (or allowUnauthenticated: true)",
    );
  }
  if (inner !== undefined && typeof inner.verify !== "function")
    throw new WebhookError("invalid_options", "`inner` is not a scheme");
  const alg = options.alg ?? "RSA-OAEP-256";
  const enc = options.enc ?? "A256GCM";
  if (!JWE_KEY_ALGORITHMS.includes(alg))
    throw new WebhookError("invalid_options", `unsupported JWE alg ${String(alg)}`);
  if (!JWE_CONTENT_ALGORITHMS.includes(enc))
    throw new WebhookError("invalid_options", `unsupported JWE enc ${String(enc)}`);

  const decryptionInputs: JweDecryptionKey[] = [
    ...(options.privateKey === undefined ? [] : [{ key: options.privateKey, alg, kid: options.kid }]),
    ...(options.privateKeys ?? []),
  ];
  const decryptionKeys = decryptionInputs.map((input) => ({
    kid: input.kid ?? kidOf(input.key),
    alg: input.alg,
    key: lazyKey(input.key, input.alg, "JWE private key"),
  }));
  // Allowlists matter only on the receiving side (a sender has no private key).
  const receiving = decryptionInputs.length > 0;
  const keyAlgorithms = receiving
    ? checkAllowlist(
        options.keyAlgorithms ?? [...new Set(decryptionInputs.map((input) => input.alg))],
        JWE_KEY_ALGORITHMS,
        "jwe",
      )
    : new Set<JweKeyAlgorithm>();
  const contentAlgorithms = receiving
    ? checkAllowlist(options.contentAlgorithms ?? ["A256GCM"], JWE_CONTENT_ALGORITHMS, "jwe")
    : new Set<JweContentAlgorithm>();
  const encryptionKey = options.publicKey === undefined ? undefined : lazyKey(options.publicKey, alg, "JWE public key");
  const encryptionKid = options.kid ?? kidOf(options.publicKey);

  async function decrypt(body: Uint8Array): Promise<Uint8Array> {
    const token = decodeUtf8Strict(body);
    if (token === undefined || token.split(".").length !== 5)
      throw new WebhookError("malformed_body", "the body is not a compact JWE");
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
    } catch (error) {
      throw toWebhookError(error, "body");
    }
    if (typeof header.alg !== "string" || !keyAlgorithms.has(header.alg as JweKeyAlgorithm)) {
      throw new WebhookError("algorithm_not_allowed", `JWE alg ${String(header.alg)} is not in the allowlist`);
    }
    if (typeof header.enc !== "string" || !contentAlgorithms.has(header.enc as JweContentAlgorithm)) {
      throw new WebhookError("algorithm_not_allowed", `JWE enc ${String(header.enc)} is not in the allowlist`);
    }
    for (const parameter of ["jwk", "jku", "x5u", "x5c"]) {
      if (parameter in header)
        throw new WebhookError("untrusted_key", `the message carries its own key (${parameter})`);
    }
    if (header.crit !== undefined)
      throw new WebhookError("unsupported_critical_header", "the JWE header names critical extensions");
    if (header.zip !== undefined) throw new WebhookError("algorithm_not_allowed", "compressed JWE is refused");
    const candidates = decryptionKeys.filter(
      (key) => key.alg === header.alg && (header.kid === undefined || key.kid === undefined || key.kid === header.kid),
    );
    if (candidates.length === 0)
      throw new WebhookError("key_not_found", `no decryption key for kid ${String(header.kid)}`);
    let failure: unknown;
    for (const candidate of candidates) {
      try {
        const { plaintext } = await compactDecrypt(token, await candidate.key(), {
          keyManagementAlgorithms: [...keyAlgorithms],
          contentEncryptionAlgorithms: [...contentAlgorithms],
        });
        return plaintext;
      } catch (error) {
        failure = error;
      }
    }
    throw toWebhookError(failure, "body");
  }

  async function verify(incoming: IncomingWebhook): Promise<SchemeVerification> {
    if (decryptionKeys.length === 0)
      throw new WebhookError("invalid_options", "this jwe scheme has no private key to decrypt with");
    const plaintext = await decrypt(incoming.body);
    if (inner === undefined) {
      // Explicitly unauthenticated: named and deduplicated by the plaintext's digest.
      const digest = await cryptoBackend.digest("SHA-256", plaintext);
      return { id: encodeBase64(digest), timestamp: undefined, keyId: undefined, payload: plaintext };
    }
    const verified = await inner.verify({ ...incoming, body: plaintext });
    return { ...verified, payload: verified.payload ?? plaintext };
  }

  async function encode(message: OutgoingWebhook) {
    if (encryptionKey === undefined) throw new WebhookError("invalid_options", "jwe encryption needs `publicKey`");
    const delivery = inner === undefined ? { headers: {}, body: message.body } : await inner.encode(message);
    const jweToken = await new CompactEncrypt(toBytes(delivery.body))
      .setProtectedHeader({
        alg,
        enc,
        // a nested JWT says so (RFC 7519 section 5.2)
        ...(delivery.headers["content-type"] === "application/jwt" ? { cty: "JWT" } : {}),
        ...(encryptionKid === undefined ? {} : { kid: encryptionKid }),
      })
      .encrypt(await encryptionKey());
    const { "content-type": _innerType, ...headers } = delivery.headers;
    return { headers: { ...headers, "content-type": "application/jose" }, body: jweToken };
  }

  return {
    name: inner === undefined ? "jwe" : `jwe+${inner.name}`,
    timestamped: inner?.timestamped ?? false,
    verify,
    async sign() {
      throw new WebhookError("invalid_options", "a JWE replaces the body: use encode()");
    },
    encode,
  };
}
