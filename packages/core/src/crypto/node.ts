import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import type { CryptoBackend, HashAlgorithm, HmacKey } from "./types.js";

export type { CryptoBackend, HashAlgorithm, HmacKey } from "./types.js";

const NODE_HASH: Record<HashAlgorithm, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512" };

/**
 * node:crypto backend, selected by the "node" export condition: synchronous
 * HMAC without the thread-pool hop of Web Crypto and without concatenating
 * the signed parts. Same results as `web.ts`, proven by the same test suite.
 */
export const cryptoBackend: CryptoBackend = {
  name: "node",
  async importHmacKey(raw: Uint8Array, algorithm: HashAlgorithm): Promise<HmacKey> {
    return { algorithm, handle: createSecretKey(raw) };
  },
  hmac(key: HmacKey, parts: readonly Uint8Array[]): Uint8Array {
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
};
