import {
  constants,
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

const NODE_HASH: Record<HashAlgorithm, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512" };

const NODE_CURVE = { "P-256": "prime256v1" } as const;

/** Refuses a key whose type (or curve) is not the algorithm's: node:crypto would otherwise try it. */
function checkKeyType(algorithm: AsymmetricAlgorithm, key: KeyObject): void {
  const type = key.asymmetricKeyType;
  const ok =
    algorithm.name === "Ed25519"
      ? type === "ed25519"
      : algorithm.name === "ECDSA"
        ? type === "ec" && key.asymmetricKeyDetails?.namedCurve === NODE_CURVE[algorithm.namedCurve]
        : type === "rsa" || (algorithm.name === "RSA-PSS" && type === "rsa-pss");
  if (!ok) throw new TypeError(`the key is not a ${algorithm.name} key`);
}

function importKeyObject(data: AsymmetricKeyData): KeyObject {
  if (data.format === "jwk") {
    const jwk = data.jwk as Parameters<typeof createPublicKey>[0] & { d?: string };
    return typeof jwk.d === "string"
      ? createPrivateKey({ key: data.jwk as never, format: "jwk" })
      : createPublicKey({ key: data.jwk as never, format: "jwk" });
  }
  return data.format === "pkcs8"
    ? createPrivateKey({ key: Buffer.from(data.der), format: "der", type: "pkcs8" })
    : createPublicKey({ key: Buffer.from(data.der), format: "der", type: "spki" });
}

/** The options node:crypto's sign/verify take for an algorithm (hash name first; null for Ed25519). */
function signOptions(key: AsymmetricKey): [string | null, Parameters<typeof verify>[2]] {
  const { algorithm } = key;
  const handle = key.handle as KeyObject;
  switch (algorithm.name) {
    case "Ed25519":
      return [null, handle];
    case "ECDSA":
      return [NODE_HASH[algorithm.hash], { key: handle, dsaEncoding: "ieee-p1363" }];
    case "RSASSA-PKCS1-v1_5":
      return [NODE_HASH[algorithm.hash], { key: handle, padding: constants.RSA_PKCS1_PADDING }];
    case "RSA-PSS":
      return [
        NODE_HASH[algorithm.hash],
        { key: handle, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength },
      ];
  }
}

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
  async importAsymmetricKey(algorithm: AsymmetricAlgorithm, data: AsymmetricKeyData): Promise<ImportedAsymmetricKey> {
    const handle = importKeyObject(data);
    checkKeyType(algorithm, handle);
    const type = handle.type === "private" ? "private" : "public";
    const publicHandle = type === "private" ? createPublicKey(handle) : handle;
    const key: AsymmetricKey = { algorithm, type, handle };
    const publicKey: AsymmetricKey = type === "private" ? { algorithm, type: "public", handle: publicHandle } : key;
    return { key, publicKey, spki: new Uint8Array(publicHandle.export({ format: "der", type: "spki" })) };
  },
  asymmetricSign(key: AsymmetricKey, parts: readonly SignedPart[]): Uint8Array {
    const [hash, options] = signOptions(key);
    return sign(hash, joinParts(parts), options as Parameters<typeof sign>[2]);
  },
  asymmetricVerify(key: AsymmetricKey, signature: Uint8Array, parts: readonly SignedPart[]): boolean {
    const [hash, options] = signOptions(key);
    try {
      return verify(hash, joinParts(parts), options, signature);
    } catch {
      // a signature of the wrong length or shape (node:crypto throws for some)
      return false;
    }
  },
};
