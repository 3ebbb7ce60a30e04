// Asymmetric keys on Web Crypto (Ed25519, ECDSA, RSA): import, sign, verify. Loaded on
// demand by `web.ts` with the first key imported, so a verifier with HMAC secrets only
// never loads (or bundles) it.
import { joinParts } from "../lib/concat.js";
import { asBufferSource } from "./buffer-source.js";
import type {
  AsymmetricAlgorithm,
  AsymmetricKey,
  AsymmetricKeyData,
  ImportedAsymmetricKey,
  SignedPart,
} from "./types.js";

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

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "key_ops", "ext"] as const;

/** Imports the public half: from a private key's JWK with the private members dropped. */
async function importPublicHalf(algorithm: AsymmetricAlgorithm, jwk: JsonWebKey): Promise<CryptoKey> {
  const publicJwk: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_JWK_MEMBERS) delete publicJwk[member];
  return crypto.subtle.importKey("jwk", publicJwk as JsonWebKey, importParams(algorithm), true, ["verify"]);
}

/** `CryptoBackend.importAsymmetricKey` on Web Crypto. */
export async function importAsymmetricKey(
  algorithm: AsymmetricAlgorithm,
  data: AsymmetricKeyData,
): Promise<ImportedAsymmetricKey> {
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

/** `CryptoBackend.asymmetricSign` on Web Crypto. */
export async function asymmetricSign(key: AsymmetricKey, parts: readonly SignedPart[]): Promise<Uint8Array> {
  const data = asBufferSource(joinParts(parts));
  return new Uint8Array(await crypto.subtle.sign(signParams(key.algorithm), key.handle as CryptoKey, data));
}

/** `CryptoBackend.asymmetricVerify` on Web Crypto: false, never a throw, for any signature that does not verify. */
export async function asymmetricVerify(
  key: AsymmetricKey,
  signature: Uint8Array,
  parts: readonly SignedPart[],
): Promise<boolean> {
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
}
