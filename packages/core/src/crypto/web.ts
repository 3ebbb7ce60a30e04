import { concatBytes } from "../lib/concat.js";
import { constantTimeEqual } from "../lib/constant-time.js";
import type { CryptoBackend, HashAlgorithm, HmacKey } from "./types.js";

export type { CryptoBackend, HashAlgorithm, HmacKey } from "./types.js";

// Web Crypto wants a BufferSource backed by an ArrayBuffer; our bytes may view a
// SharedArrayBuffer in theory, so copy only in that unlikely case.
function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
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
  async hmac(key: HmacKey, parts: readonly Uint8Array[]): Promise<Uint8Array> {
    const data = parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
    return new Uint8Array(await crypto.subtle.sign("HMAC", key.handle as CryptoKey, asBufferSource(data)));
  },
  async digest(algorithm: HashAlgorithm, data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.digest(algorithm, asBufferSource(data)));
  },
  timingSafeEqual: constantTimeEqual,
  randomBytes(length: number): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(length));
  },
};
