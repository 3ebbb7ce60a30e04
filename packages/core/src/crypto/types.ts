/**
 * The crypto primitives the schemes need, implemented twice: `web.ts` on Web
 * Crypto (every runtime) and `node.ts` on node:crypto (a faster, synchronous
 * path picked by the "node" export condition). Both must behave identically;
 * the test suite runs on each.
 */
/** A piece of signed content: bytes as they are, text as its UTF-8 (node:crypto hashes text without a copy). */
export type SignedPart = Uint8Array | string;

/** The hashes an HMAC scheme can use: SHA-1 only because Twilio and Vercel still sign with it. */
export type HashAlgorithm = "SHA-1" | "SHA-256" | "SHA-512";

/** An HMAC key prepared once (imported CryptoKey or KeyObject), used per message. */
export interface HmacKey {
  readonly algorithm: HashAlgorithm;
  /** Opaque runtime handle. */
  readonly handle: unknown;
}

/** DER prefixes that wrap a raw Ed25519 seed (PKCS #8) or public key (SPKI), RFC 8410. */
export const ED25519_PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
export const ED25519_SPKI_PREFIX = new Uint8Array([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

/**
 * An asymmetric signature algorithm as Web Crypto names it. ECDSA signatures are always the
 * fixed-length `r || s` form (IEEE P1363) here; formats that carry DER convert at the edge.
 */
export type AsymmetricAlgorithm =
  | { readonly name: "Ed25519" }
  | { readonly name: "ECDSA"; readonly namedCurve: "P-256"; readonly hash: HashAlgorithm }
  | { readonly name: "RSASSA-PKCS1-v1_5"; readonly hash: HashAlgorithm }
  | { readonly name: "RSA-PSS"; readonly hash: HashAlgorithm; readonly saltLength: number };

/** Key bytes to import: DER SubjectPublicKeyInfo (public), DER PKCS #8 (private), or a JWK (either). */
export type AsymmetricKeyData =
  | { readonly format: "spki" | "pkcs8"; readonly der: Uint8Array }
  | { readonly format: "jwk"; readonly jwk: JsonWebKey };

/** An asymmetric key prepared once for one algorithm. */
export interface AsymmetricKey {
  readonly algorithm: AsymmetricAlgorithm;
  readonly type: "public" | "private";
  /** Opaque runtime handle. */
  readonly handle: unknown;
}

/** An imported key pair half: the key itself, its public key, and that public key as DER SPKI (for fingerprints). */
export interface ImportedAsymmetricKey {
  readonly key: AsymmetricKey;
  readonly publicKey: AsymmetricKey;
  readonly spki: Uint8Array;
}

export interface CryptoBackend {
  readonly name: "web" | "node";
  importHmacKey(raw: Uint8Array, algorithm: HashAlgorithm): Promise<HmacKey>;
  /** HMAC over the concatenation of `parts` (no copy on the node path). */
  hmac(key: HmacKey, parts: readonly SignedPart[]): Promise<Uint8Array> | Uint8Array;
  digest(algorithm: HashAlgorithm, data: Uint8Array): Promise<Uint8Array> | Uint8Array;
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  randomBytes(length: number): Uint8Array;
  /**
   * Imports a key for `algorithm`; rejects a key of another type or curve. A private key
   * also yields its public key, so a signer's keyring verifies what it signs.
   */
  importAsymmetricKey(algorithm: AsymmetricAlgorithm, data: AsymmetricKeyData): Promise<ImportedAsymmetricKey>;
  /** A signature over the concatenation of `parts` (ECDSA as `r || s`). */
  asymmetricSign(key: AsymmetricKey, parts: readonly SignedPart[]): Promise<Uint8Array> | Uint8Array;
  /** False for any signature that does not verify, of any length or shape; never throws. */
  asymmetricVerify(key: AsymmetricKey, signature: Uint8Array, parts: readonly SignedPart[]): Promise<boolean> | boolean;
}
