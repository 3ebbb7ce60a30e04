import { cryptoBackend, type HashAlgorithm, type HmacKey } from "#crypto";
import { WebhookError } from "../errors/webhook-error.js";
import type { Awaitable } from "../lib/awaitable.js";
import { encodeHex } from "../lib/hex.js";
import { lookUpList } from "./look-up.js";
import type { SecretInput, SecretLookup, SecretOptions } from "./secret-input.js";
import { requireStrongHmacKey } from "./secret-strength.js";

/** A key ready for use: imported once, named for logs and results. */
export interface PreparedHmacKey {
  readonly id: string;
  readonly key: HmacKey;
}

/** Turns a secret string in the scheme's format into key bytes; `undefined` if it is not valid. */
export type SecretDecoder = (secret: string) => Uint8Array | undefined;

/**
 * An ordered set of HMAC keys: sign with the first, verify with any.
 * Static keys are imported once; looked-up keys are cached by their bytes.
 */
export interface HmacKeyring {
  keysFor(tenant: string | undefined): Awaitable<readonly PreparedHmacKey[]>;
}

const MAX_CACHED_LOOKUP_KEYS = 1024;

export function createHmacKeyring(
  options: SecretOptions,
  algorithm: HashAlgorithm,
  decodeSecret: SecretDecoder,
): HmacKeyring {
  const { secret, secrets } = options as { secret?: SecretInput; secrets?: readonly SecretInput[] | SecretLookup };
  if (typeof secrets === "function") return lookupKeyring(secrets, algorithm, decodeSecret);
  const inputs = secret !== undefined ? [secret] : secrets;
  if (inputs === undefined || inputs.length === 0) {
    throw new WebhookError(
      "invalid_options",
      "the scheme has no key: pass `secret` (the signing secret your sender gave you; if it comes from the environment, is the variable set where this runs?) or a non-empty `secrets` list",
    );
  }
  const raws = inputs.map((input) => decodeInput(input, decodeSecret));
  let prepared: readonly PreparedHmacKey[] | undefined;
  let preparing: Promise<readonly PreparedHmacKey[]> | undefined;
  return {
    keysFor() {
      if (prepared) return prepared;
      preparing ??= Promise.all(raws.map((raw) => prepareKey(raw, algorithm))).then((keys) => {
        prepared = keys;
        return keys;
      });
      return preparing;
    },
  };
}

function lookupKeyring(lookup: SecretLookup, algorithm: HashAlgorithm, decodeSecret: SecretDecoder): HmacKeyring {
  // Cache imported keys by id+bytes so a lookup per request does not re-import.
  const cache = new Map<string, Promise<PreparedHmacKey>>();
  return {
    async keysFor(tenant) {
      const inputs = await lookUpList(lookup, tenant, "secrets");
      return Promise.all(
        inputs.map((input) => {
          const raw = decodeInput(input, decodeSecret);
          const cacheKey = `${raw.id ?? ""}:${encodeHex(raw.bytes)}`;
          let key = cache.get(cacheKey);
          if (!key) {
            if (cache.size >= MAX_CACHED_LOOKUP_KEYS) cache.delete(cache.keys().next().value as string);
            key = prepareKey(raw, algorithm);
            cache.set(cacheKey, key);
          }
          return key;
        }),
      );
    },
  };
}

/** A secret decoded to bytes, not yet imported. */
export interface RawKey {
  readonly id: string | undefined;
  readonly bytes: Uint8Array;
}

/**
 * Decodes one secret input; throws `invalid_options` when it is empty, not in the scheme's
 * format, or shorter than 16 bytes (a guessable key makes every signature forgeable).
 */
export function decodeInput(input: SecretInput, decodeSecret: SecretDecoder): RawKey {
  const { id, secret } =
    typeof input === "object" && !(input instanceof Uint8Array) ? input : { id: undefined, secret: input };
  const bytes = typeof secret === "string" ? decodeSecret(secret) : secret;
  if (bytes === undefined || !(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new WebhookError(
      "invalid_options",
      "a secret is empty or not in the scheme's format (Standard Webhooks and Svix: whsec_ followed by base64; make one with `hooksec secret`); if it comes from the environment, is the variable set where this runs?",
    );
  }
  return { id, bytes: requireStrongHmacKey(bytes) };
}

/** Imports a decoded secret once, with its id (or a fingerprint of it). */
export async function prepareKey(raw: RawKey, algorithm: HashAlgorithm): Promise<PreparedHmacKey> {
  // The default id is a short fingerprint: stable across rotations, safe to log.
  const id = raw.id ?? `sha256:${encodeHex((await cryptoBackend.digest("SHA-256", raw.bytes)).subarray(0, 6))}`;
  return { id, key: await cryptoBackend.importHmacKey(raw.bytes, algorithm) };
}
