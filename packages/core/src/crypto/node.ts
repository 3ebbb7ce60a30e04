import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type KeyObject,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { joinParts } from "../lib/concat.js";
import { type CryptoBackend, ED25519_PKCS8_PREFIX, ED25519_SPKI_PREFIX, type Ed25519Key, type HashAlgorithm, type HmacKey, type SignedPart } from "./types.js";

export type { CryptoBackend, Ed25519Key, HashAlgorithm, HmacKey, SignedPart } from "./types.js";

const NODE_HASH: Record<HashAlgorithm, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512" };

/**
 * node:crypto backend, selected by the "node" export condition: synchronous
 * HMAC without the thread-pool hop of Web Crypto and without concatenating
 * the signed parts. Same results as `web.ts`, proven by the same test suite.
 * Ed25519 signs one buffer: `joinParts` copies only when there is more than one part, so a
 * caller trying several keys or signatures joins the message once and passes it alone.
 */
export const cryptoBackend: CryptoBackend = {
  name: "node",
  async importHmacKey(raw: Uint8Array, algorithm: HashAlgorithm): Promise<HmacKey> {
    return { algorithm, handle: createSecretKey(raw) };
  },
  hmac(key: HmacKey, parts: readonly SignedPart[]): Uint8Array {
    const mac = createHmac(NODE_HASH[key.algorithm], key.handle as KeyObject);
    for (const part of parts) mac.update(part);
    return mac.digest();
  },
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    return createHash(NODE_HASH[algorithm]).update(data).digest();
  },
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
    return a.length === b.length && timingSafeEqual(a, b);
  },
  randomBytes(length: number): Uint8Array {
    return randomBytes(length);
  },
  async importEd25519PrivateKey(seed: Uint8Array): Promise<Ed25519Key> {
    if (seed.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
    const der = Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
    const handle = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    der.fill(0);
    const spki = createPublicKey(handle).export({ format: "der", type: "spki" });
    return { type: "private", handle, publicKey: new Uint8Array(spki.subarray(ED25519_SPKI_PREFIX.length)) };
  },
  async importEd25519PublicKey(raw: Uint8Array): Promise<Ed25519Key> {
    if (raw.length !== 32) throw new RangeError("an Ed25519 public key is 32 bytes");
    const der = Buffer.concat([ED25519_SPKI_PREFIX, raw]);
    return { type: "public", handle: createPublicKey({ key: der, format: "der", type: "spki" }), publicKey: raw.slice() };
  },
  async ed25519PublicKey(key: Ed25519Key): Promise<Uint8Array> {
    return key.publicKey.slice();
  },
  ed25519Sign(key: Ed25519Key, parts: readonly SignedPart[]): Uint8Array {
    const data = joinParts(parts);
    return sign(null, data, key.handle as KeyObject);
  },
  ed25519Verify(key: Ed25519Key, signature: Uint8Array, parts: readonly SignedPart[]): boolean {
    if (signature.length !== 64) return false;
    const data = joinParts(parts);
    return verify(null, data, key.handle as KeyObject, signature);
  },
};
