import { concatBytes, joinParts } from "../lib/concat.js";
import { decodeBase64 } from "../lib/base64.js";
import { constantTimeEqual } from "../lib/constant-time.js";
import {
  type AsymmetricAlgorithm,
  type AsymmetricKey,
  type AsymmetricKeyData,
  type CryptoBackend,
  ED25519_PKCS8_PREFIX,
  type Ed25519Key,
  type HashAlgorithm,
  type HmacKey,
  type ImportedAsymmetricKey,
  type SignedPart,
} from "./types.js";

export type {
  AsymmetricAlgorithm,
  AsymmetricKey,
  AsymmetricKeyData,
  CryptoBackend,
  Ed25519Key,
  HashAlgorithm,
  HmacKey,
  ImportedAsymmetricKey,
  SignedPart,
} from "./types.js";
export { ED25519_PKCS8_PREFIX, ED25519_SPKI_PREFIX } from "./types.js";

// Web Crypto wants a BufferSource backed by an ArrayBuffer; our bytes may view a
// SharedArrayBuffer in theory, so copy only in that unlikely case.
function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

function base64UrlToBase64(text: string): string {
  const standard = text.replaceAll("-", "+").replaceAll("_", "/");
  return standard + "=".repeat((4 - (standard.length % 4)) % 4);
}

/** What `importKey` takes for an algorithm. */
function importParams(algorithm: AsymmetricAlgorithm): AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams {
  switch (algorithm.name) {
    case "Ed25519":
      return { name: "Ed25519" };
    case "ECDSA":
      return { name: "ECDSA", namedCurve: algorithm.namedCurve };
    default:
      return { name: algorithm.name, hash: algorithm.hash };
  }
}

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

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "key_ops", "ext"] as const;

/** Imports the public half: from a private key's JWK with the private members dropped. */
async function importPublicHalf(algorithm: AsymmetricAlgorithm, jwk: JsonWebKey): Promise<CryptoKey> {
  const publicJwk: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_JWK_MEMBERS) delete publicJwk[member];
  return crypto.subtle.importKey("jwk", publicJwk as JsonWebKey, importParams(algorithm), true, ["verify"]);
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
    if (publicKey === undefined || publicKey.length !== 32)
      throw new RangeError("could not derive the Ed25519 public key");
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
  async importAsymmetricKey(algorithm: AsymmetricAlgorithm, data: AsymmetricKeyData): Promise<ImportedAsymmetricKey> {
    const params = importParams(algorithm);
    const isPrivate = data.format === "pkcs8" || (data.format === "jwk" && typeof data.jwk.d === "string");
    let publicHandle: CryptoKey;
    let privateHandle: CryptoKey | undefined;
    if (isPrivate) {
      // A first, extractable import derives the public half; the key kept for signing is not extractable.
      const [format, keyData] =
        data.format === "jwk" ? (["jwk", data.jwk] as const) : (["pkcs8", asBufferSource(data.der)] as const);
      const exportable =
        format === "jwk"
          ? await crypto.subtle.importKey("jwk", keyData as JsonWebKey, params, true, ["sign"])
          : await crypto.subtle.importKey("pkcs8", keyData as Uint8Array<ArrayBuffer>, params, true, ["sign"]);
      publicHandle = await importPublicHalf(algorithm, await crypto.subtle.exportKey("jwk", exportable));
      privateHandle =
        format === "jwk"
          ? await crypto.subtle.importKey("jwk", keyData as JsonWebKey, params, false, ["sign"])
          : await crypto.subtle.importKey("pkcs8", keyData as Uint8Array<ArrayBuffer>, params, false, ["sign"]);
    } else if (data.format === "jwk") {
      publicHandle = await crypto.subtle.importKey("jwk", data.jwk, params, true, ["verify"]);
    } else {
      publicHandle = await crypto.subtle.importKey("spki", asBufferSource(data.der), params, true, ["verify"]);
    }
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", publicHandle));
    const publicKey: AsymmetricKey = { algorithm, type: "public", handle: publicHandle };
    const key: AsymmetricKey =
      privateHandle === undefined ? publicKey : { algorithm, type: "private", handle: privateHandle };
    return { key, publicKey, spki };
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
