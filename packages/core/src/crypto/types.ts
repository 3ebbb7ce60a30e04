/**
 * The crypto primitives the schemes need, implemented twice: `web.ts` on Web
 * Crypto (every runtime) and `node.ts` on node:crypto (a faster, synchronous
 * path picked by the "node" export condition). Both must behave identically;
 * the test suite runs on each.
 */
export type HashAlgorithm = "SHA-1" | "SHA-256" | "SHA-512";

/** An HMAC key prepared once (imported CryptoKey or KeyObject), used per message. */
export interface HmacKey {
  readonly algorithm: HashAlgorithm;
  /** Opaque runtime handle. */
  readonly handle: unknown;
}

export interface CryptoBackend {
  readonly name: "web" | "node";
  importHmacKey(raw: Uint8Array, algorithm: HashAlgorithm): Promise<HmacKey>;
  /** HMAC over the concatenation of `parts` (no copy on the node path). */
  hmac(key: HmacKey, parts: readonly Uint8Array[]): Promise<Uint8Array> | Uint8Array;
  digest(algorithm: HashAlgorithm, data: Uint8Array): Promise<Uint8Array> | Uint8Array;
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  randomBytes(length: number): Uint8Array;
}
