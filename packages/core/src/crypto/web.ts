import { joinParts } from "../lib/concat.js";
import { constantTimeEqual } from "../lib/constant-time.js";
import { asBufferSource } from "./buffer-source.js";
import type {
  AsymmetricAlgorithm,
  AsymmetricKey,
  AsymmetricKeyData,
  CryptoBackend,
  HashAlgorithm,
  HmacKey,
  ImportedAsymmetricKey,
  SignedPart,
} from "./types.js";

export type {
  AsymmetricAlgorithm,
  AsymmetricKey,
  AsymmetricKeyData,
  CryptoBackend,
  HashAlgorithm,
  HmacKey,
  ImportedAsymmetricKey,
  SignedPart,
} from "./types.js";
export { ED25519_PKCS8_PREFIX, ED25519_SPKI_PREFIX } from "./types.js";

/** What `sign`/`verify` take for an algorithm. */
function signParams(algorithm: AsymmetricAlgorithm): AlgorithmIdentifier | EcdsaParams | RsaPssParams {
  switch (algorithm.name) {
    case "ECDSA":
      return { name: "ECDSA", hash: algorithm.hash };
    case "RSA-PSS":
      return { name: "RSA-PSS", saltLength: algorithm.saltLength };
    default:
      return { name: algorithm.name };
  }
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
  importAsymmetricKey(algorithm: AsymmetricAlgorithm, data: AsymmetricKeyData): Promise<ImportedAsymmetricKey> {
    // Loaded on demand: a verifier with HMAC secrets only never loads (or bundles) it.
    return import("./web-key-import.js").then((loaded) => loaded.importAsymmetricKey(algorithm, data));
  },
  async asymmetricSign(key: AsymmetricKey, parts: readonly SignedPart[]): Promise<Uint8Array> {
    const data = asBufferSource(joinParts(parts));
    return new Uint8Array(await crypto.subtle.sign(signParams(key.algorithm), key.handle as CryptoKey, data));
  },
  async asymmetricVerify(key: AsymmetricKey, signature: Uint8Array, parts: readonly SignedPart[]): Promise<boolean> {
    try {
      const data = asBufferSource(joinParts(parts));
      return await crypto.subtle.verify(
        signParams(key.algorithm),
        key.handle as CryptoKey,
        asBufferSource(signature),
        data,
      );
    } catch {
      return false;
    }
  },
};
