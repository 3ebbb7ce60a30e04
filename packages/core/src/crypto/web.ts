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

// `#crypto` is this module or its twin: both re-export the shared types and constants.
export * from "./types.js";

/** The asymmetric key code, once loaded: keys exist only after it has, as they come from its import. */
let asymmetric: typeof import("./web-asymmetric.js") | undefined;
async function loadAsymmetric() {
  asymmetric ??= await import("./web-asymmetric.js");
  return asymmetric;
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
  // Loaded on demand: a verifier with HMAC secrets only never loads (or bundles) them.
  // Verification, the hot path, calls the loaded code directly once a key exists.
  importAsymmetricKey(algorithm: AsymmetricAlgorithm, data: AsymmetricKeyData): Promise<ImportedAsymmetricKey> {
    return loadAsymmetric().then((loaded) => loaded.importAsymmetricKey(algorithm, data));
  },
  asymmetricSign(key: AsymmetricKey, parts: readonly SignedPart[]): Promise<Uint8Array> {
    return loadAsymmetric().then((loaded) => loaded.asymmetricSign(key, parts));
  },
  asymmetricVerify(key: AsymmetricKey, signature: Uint8Array, parts: readonly SignedPart[]): Promise<boolean> {
    if (asymmetric !== undefined) return asymmetric.asymmetricVerify(key, signature, parts);
    return loadAsymmetric().then((loaded) => loaded.asymmetricVerify(key, signature, parts));
  },
};
