import type { AsymmetricAlgorithm, HashAlgorithm } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { ecdsaDerToRaw, ecdsaRawToDer } from "../../lib/ecdsa-signature.js";

/**
 * The algorithms a signature format can use: HMAC keyed by a shared secret, or a
 * signature verified with the sender's public key.
 */
export type SignatureAlgorithm =
  | "hmac-sha1"
  | "hmac-sha256"
  | "hmac-sha512"
  | "ed25519"
  | "ecdsa-p256-sha256"
  | "rsa-pkcs1-sha256"
  | "rsa-pkcs1-sha512"
  | "rsa-pss-sha256"
  | "rsa-pss-sha512";

/** How an ECDSA signature is written: DER (openssl, Java, most SDKs) or fixed-length `r || s` (JOSE, Web Crypto). */
export type EcdsaSignatureEncoding = "der" | "raw";

/** The parameters of an algorithm beyond its name. */
export interface AlgorithmParameters {
  /** RSA-PSS salt length in bytes. Default: the digest length (32 for SHA-256), as Python's `cryptography` with `salt_length=digest_size`. */
  readonly saltLength?: number;
  /** ECDSA only. Default "der". */
  readonly signatureEncoding?: EcdsaSignatureEncoding;
}

/** One algorithm, resolved once when a scheme is built. */
export interface ResolvedAlgorithm {
  readonly name: SignatureAlgorithm;
  /** HMAC: the hash; the key is a shared secret. */
  readonly hmac: HashAlgorithm | undefined;
  /** Asymmetric: the Web Crypto algorithm; keys are public/private. */
  readonly asymmetric: AsymmetricAlgorithm | undefined;
  /** The length every valid signature has after decoding, when it is fixed (RSA: the modulus, unknown here). */
  readonly signatureLength: number | undefined;
  /** Received bytes as the backend verifies them (ECDSA DER → `r || s`); `undefined` when malformed. */
  decode(bytes: Uint8Array): Uint8Array | undefined;
  /** The backend's signature as the format writes it. */
  encode(signature: Uint8Array): Uint8Array;
}

const DIGEST_LENGTH: Record<HashAlgorithm, number> = { "SHA-1": 20, "SHA-256": 32, "SHA-512": 64 };
const HASH = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" } as const;
const same = (bytes: Uint8Array) => bytes;

function fixedLength(length: number | undefined) {
  return (bytes: Uint8Array) => (length === undefined || bytes.length === length ? bytes : undefined);
}

/**
 * Checks and resolves an algorithm name with its parameters; throws `invalid_options`
 * for anything unknown, so a typo never silently weakens verification.
 */
export function resolveAlgorithm(name: SignatureAlgorithm, parameters: AlgorithmParameters = {}): ResolvedAlgorithm {
  const [family, ...rest] = typeof name === "string" ? name.split("-") : [];
  const hashName = rest[rest.length - 1] as keyof typeof HASH | undefined;
  const hash: HashAlgorithm | undefined = hashName === undefined ? undefined : HASH[hashName];
  const { saltLength, signatureEncoding = "der" } = parameters;
  if (family !== "rsa" && saltLength !== undefined)
    throw new WebhookError("invalid_options", "saltLength is an RSA-PSS parameter");
  if (family !== "ecdsa" && parameters.signatureEncoding !== undefined) {
    throw new WebhookError("invalid_options", "signatureEncoding is an ECDSA parameter");
  }
  if (family === "hmac" && rest.length === 1 && hash !== undefined) return hmacSignature(hash);
  if (name === "ed25519") return ed25519Signature();
  if (name === "ecdsa-p256-sha256") {
    if (signatureEncoding !== "der" && signatureEncoding !== "raw")
      throw new WebhookError("invalid_options", "signatureEncoding must be der or raw");
    const size = 32;
    const asymmetric: AsymmetricAlgorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    return signatureEncoding === "der"
      ? {
          name,
          hmac: undefined,
          asymmetric,
          signatureLength: 2 * size,
          decode: (bytes) => ecdsaDerToRaw(bytes, size),
          encode: ecdsaRawToDer,
        }
      : { name, hmac: undefined, asymmetric, signatureLength: 2 * size, decode: fixedLength(2 * size), encode: same };
  }
  if (family === "rsa" && rest.length === 2 && (hash === "SHA-256" || hash === "SHA-512")) {
    if (rest[0] === "pkcs1") {
      if (saltLength !== undefined) throw new WebhookError("invalid_options", "saltLength is an RSA-PSS parameter");
      return {
        name,
        hmac: undefined,
        asymmetric: { name: "RSASSA-PKCS1-v1_5", hash },
        signatureLength: undefined,
        decode: same,
        encode: same,
      };
    }
    if (rest[0] === "pss") {
      const salt = saltLength ?? DIGEST_LENGTH[hash];
      if (!Number.isInteger(salt) || salt < 0 || salt > 512)
        throw new WebhookError("invalid_options", "saltLength must be an integer number of bytes");
      return {
        name,
        hmac: undefined,
        asymmetric: { name: "RSA-PSS", hash, saltLength: salt },
        signatureLength: undefined,
        decode: same,
        encode: same,
      };
    }
  }
  throw new WebhookError("invalid_options", `unknown signature algorithm ${JSON.stringify(name)}`);
}

// Formats whose algorithm is fixed (Standard Webhooks, most providers) take these
// directly: a bundle of them then leaves out the name parser and the ECDSA/RSA code.

/** HMAC with `hash`, as `resolveAlgorithm("hmac-…")` resolves it. */
export function hmacSignature(hash: HashAlgorithm): ResolvedAlgorithm {
  const length = DIGEST_LENGTH[hash];
  return {
    name: `hmac-${hash.replace("-", "").toLowerCase()}` as SignatureAlgorithm,
    hmac: hash,
    asymmetric: undefined,
    signatureLength: length,
    decode: fixedLength(length),
    encode: same,
  };
}

/** Ed25519, as `resolveAlgorithm("ed25519")` resolves it. */
export function ed25519Signature(): ResolvedAlgorithm {
  return {
    name: "ed25519",
    hmac: undefined,
    asymmetric: { name: "Ed25519" },
    signatureLength: 64,
    decode: fixedLength(64),
    encode: same,
  };
}

/** The HMAC algorithm of a hash, as `hmacScheme` names it. */
export function hmacAlgorithm(hash: HashAlgorithm): SignatureAlgorithm {
  const names: Record<HashAlgorithm, SignatureAlgorithm> = {
    "SHA-1": "hmac-sha1",
    "SHA-256": "hmac-sha256",
    "SHA-512": "hmac-sha512",
  };
  const name = names[hash];
  if (name === undefined) throw new WebhookError("invalid_options", "algorithm must be SHA-1, SHA-256 or SHA-512");
  return name;
}
