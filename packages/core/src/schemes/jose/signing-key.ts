import { type CryptoKey, importJWK, type JWK } from "jose";
import { WebhookError } from "../../errors/webhook-error.js";

/** A private (signing/decrypting) or public (encrypting) key: a Web Crypto key or a JWK. */
export type JoseKeyInput = CryptoKey | JWK;

function isJwk(key: JoseKeyInput): key is JWK {
  return typeof key === "object" && key !== null && typeof (key as JWK).kty === "string";
}

/** Imports a key once, lazily; a bad key is a configuration error. */
export function lazyKey(input: JoseKeyInput, alg: string, what: string): () => Promise<CryptoKey> {
  let imported: Promise<CryptoKey> | undefined;
  return () => {
    imported ??= (async () => {
      if (!isJwk(input)) return input;
      try {
        const key = await importJWK(input, alg);
        if (key instanceof Uint8Array) throw new TypeError("a symmetric key cannot be used here");
        return key;
      } catch (cause) {
        throw new WebhookError("invalid_options", `the ${what} could not be imported for ${alg}`, { cause });
      }
    })();
    return imported;
  };
}

/** The `kid` of a JWK input, if it has one. */
export function kidOf(input: JoseKeyInput | undefined): string | undefined {
  return input !== undefined && isJwk(input) && typeof input.kid === "string" ? input.kid : undefined;
}
