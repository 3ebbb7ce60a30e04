import { concatBytes, joinParts } from "../lib/concat.js";
import { decodeBase64 } from "../lib/base64.js";
import { constantTimeEqual } from "../lib/constant-time.js";
import { type CryptoBackend, ED25519_PKCS8_PREFIX, type Ed25519Key, type HashAlgorithm, type HmacKey, type SignedPart } from "./types.js";

export type { CryptoBackend, Ed25519Key, HashAlgorithm, HmacKey, SignedPart } from "./types.js";

// Web Crypto wants a BufferSource backed by an ArrayBuffer; our bytes may view a
// SharedArrayBuffer in theory, so copy only in that unlikely case.
function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

function base64UrlToBase64(text: string): string {
  const standard = text.replaceAll("-", "+").replaceAll("_", "/");
  return standard + "=".repeat((4 - (standard.length % 4)) % 4);
}

/** Web Crypto backend: runs on Node, Deno, Bun, Workers and the edge runtime. */
export const cryptoBackend: CryptoBackend = {
  name: "web",
  async importHmacKey(raw: Uint8Array, algorithm: HashAlgorithm): Promise<HmacKey> {
    const handle = await crypto.subtle.importKey("raw", asBufferSource(raw), { name: "HMAC", hash: algorithm }, false, [
      "sign",
    ]);
    return { algorithm, handle };
  },
  async hmac(key: HmacKey, parts: readonly SignedPart[]): Promise<Uint8Array> {
    const data = joinParts(parts);
    return new Uint8Array(await crypto.subtle.sign("HMAC", key.handle as CryptoKey, asBufferSource(data)));
  },
  async digest(algorithm: HashAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.digest(algorithm, asBufferSource(data)));
  },
  timingSafeEqual: constantTimeEqual,
  randomBytes(length: number): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(length));
  },
  async importEd25519PrivateKey(seed: Uint8Array): Promise<Ed25519Key> {
    if (seed.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
    // Web Crypto imports no raw private key: wrap the seed in PKCS #8. A first, extractable
    // import derives the public key (as a JWK); the key kept for signing is not extractable.
    const der = concatBytes([ED25519_PKCS8_PREFIX, seed]) as Uint8Array<ArrayBuffer>;
    const exportable = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
    const jwk = await crypto.subtle.exportKey("jwk", exportable);
    const publicKey = typeof jwk.x === "string" ? decodeBase64(base64UrlToBase64(jwk.x)) : undefined;
    if (publicKey === undefined || publicKey.length !== 32) throw new RangeError("could not derive the Ed25519 public key");
    const handle = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
    der.fill(0);
    return { type: "private", handle, publicKey };
  },
  async importEd25519PublicKey(raw: Uint8Array): Promise<Ed25519Key> {
    if (raw.length !== 32) throw new RangeError("an Ed25519 public key is 32 bytes");
    const handle = await crypto.subtle.importKey("raw", asBufferSource(raw), { name: "Ed25519" }, false, ["verify"]);
    return { type: "public", handle, publicKey: raw.slice() };
  },
  async ed25519PublicKey(key: Ed25519Key): Promise<Uint8Array> {
    return key.publicKey.slice();
  },
  async ed25519Sign(key: Ed25519Key, parts: readonly SignedPart[]): Promise<Uint8Array> {
    const data = joinParts(parts);
    return new Uint8Array(await crypto.subtle.sign("Ed25519", key.handle as CryptoKey, asBufferSource(data)));
  },
  async ed25519Verify(key: Ed25519Key, signature: Uint8Array, parts: readonly SignedPart[]): Promise<boolean> {
    if (signature.length !== 64) return false;
    const data = joinParts(parts);
    return crypto.subtle.verify("Ed25519", key.handle as CryptoKey, asBufferSource(signature), asBufferSource(data));
  },
};
