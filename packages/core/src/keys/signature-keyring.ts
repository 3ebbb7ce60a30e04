import type { AsymmetricKey, HmacKey } from "#crypto";
import { WebhookError } from "../errors/webhook-error.js";
import { type Awaitable, isPromiseLike } from "../lib/awaitable.js";
import { encodeHex } from "../lib/hex.js";
import { lookUpList } from "./look-up.js";
import type { ResolvedAlgorithm } from "../schemes/signature/algorithm.js";
import {
  decodeKeyInput,
  type KeyEncoding,
  type KeyInput,
  type KeyLookup,
  type PreparedAsymmetricKey,
  prepareAsymmetricKey,
  type RawAsymmetricKey,
} from "./asymmetric-keys.js";
import { createHmacKeyring, type PreparedHmacKey, type SecretDecoder } from "./keyring.js";
import type { SecretOptions } from "./secret-input.js";

/** One key of a scheme, for one of its format's algorithms. */
export interface PreparedSignatureKey {
  readonly id: string;
  /** The index, in the format's `algorithms`, of the algorithm this key is for. */
  readonly slot: number;
  /** HMAC: the shared secret (signs and verifies). */
  readonly hmac: HmacKey | undefined;
  /** Asymmetric: the public key (verifies). */
  readonly verifyKey: AsymmetricKey | undefined;
  /** Asymmetric: the private key, when this keyring signs. */
  readonly signKey: AsymmetricKey | undefined;
}

/** An ordered set of keys: signs with the first that can, verifies with any. */
export interface SignatureKeyring {
  /** `received`: what the message says about its key (a `kid`), for keyrings that fetch keys; absent when signing. */
  keysFor(
    tenant: string | undefined,
    received?: { readonly keyId?: string },
  ): Awaitable<readonly PreparedSignatureKey[]>;
}

/**
 * Keys of an asymmetric format: `publicKey`/`publicKeys` verify (newest first during a
 * rotation, or a per-tenant lookup); `privateKey` signs, and verifies what it signs.
 */
export interface AsymmetricKeyOptions {
  readonly publicKey?: KeyInput;
  readonly publicKeys?: readonly KeyInput[] | KeyLookup;
  readonly privateKey?: KeyInput;
  readonly secret?: undefined;
  readonly secrets?: undefined;
}

const MAX_CACHED_LOOKUP_KEYS = 1024;

function fromHmac(slot: number) {
  return ({ id, key }: PreparedHmacKey): PreparedSignatureKey => ({
    id,
    slot,
    hmac: key,
    verifyKey: undefined,
    signKey: undefined,
  });
}

function fromAsymmetric(slot: number) {
  return ({ id, publicKey, privateKey }: PreparedAsymmetricKey): PreparedSignatureKey => ({
    id,
    slot,
    hmac: undefined,
    verifyKey: publicKey,
    signKey: privateKey,
  });
}

/** HMAC secrets (`{ secret }`, `{ secrets }` or a lookup); HMAC secrets under 16 bytes are refused. */
export function hmacKeyring(
  options: SecretOptions,
  algorithm: ResolvedAlgorithm,
  decodeSecret: SecretDecoder,
  slot = 0,
): SignatureKeyring {
  if (algorithm.hmac === undefined)
    throw new WebhookError("invalid_options", `${algorithm.name} takes a public or private key, not a secret`);
  const keyring = createHmacKeyring(options, algorithm.hmac, decodeSecret);
  const wrap = fromHmac(slot);
  // Static keys are wrapped once, so the hot path stays synchronous on the node backend.
  let last: readonly PreparedHmacKey[] | undefined;
  let wrapped: readonly PreparedSignatureKey[] = [];
  const map = (keys: readonly PreparedHmacKey[]) => {
    if (keys !== last) {
      last = keys;
      wrapped = keys.map(wrap);
    }
    return wrapped;
  };
  return {
    keysFor(tenant) {
      const found = keyring.keysFor(tenant);
      return isPromiseLike(found) ? Promise.resolve(found).then((keys) => keys.map(wrap)) : map(found);
    },
  };
}

function checkKind(key: PreparedAsymmetricKey, wanted: "public" | "private" | "any"): PreparedAsymmetricKey {
  if (wanted === "private" && key.privateKey === undefined)
    throw new WebhookError("invalid_options", "privateKey is a public key");
  if (wanted === "public" && key.privateKey !== undefined) {
    throw new WebhookError("invalid_options", "publicKey is a private key: give the receiver only the public half");
  }
  return key;
}

/** Public and private keys of one asymmetric algorithm, fixed or looked up per tenant. */
export function asymmetricKeyring(
  options: AsymmetricKeyOptions,
  algorithm: ResolvedAlgorithm,
  encoding: KeyEncoding = "base64",
  slot = 0,
): SignatureKeyring {
  if (algorithm.asymmetric === undefined)
    throw new WebhookError("invalid_options", `${algorithm.name} takes a secret, not a key pair`);
  if (typeof options !== "object" || options === null)
    throw new WebhookError("invalid_options", "pass publicKey, publicKeys or privateKey");
  if (
    (options as { secret?: unknown }).secret !== undefined ||
    (options as { secrets?: unknown }).secrets !== undefined
  ) {
    throw new WebhookError(
      "invalid_options",
      `${algorithm.name} verifies with a public key: pass publicKey, not secret`,
    );
  }
  const wrap = fromAsymmetric(slot);
  const { publicKey, publicKeys, privateKey } = options;
  if (typeof publicKeys === "function") {
    if (publicKey !== undefined || privateKey !== undefined)
      throw new WebhookError("invalid_options", "a key lookup cannot be mixed with fixed keys");
    const cache = new Map<string, Promise<PreparedAsymmetricKey>>();
    return {
      async keysFor(tenant) {
        const inputs = await lookUpList(publicKeys, tenant, "keys");
        const prepared = inputs.map((input) => {
          const raw = decodeKeyInput(input, algorithm, encoding);
          const cacheKey = rawCacheKey(raw);
          let key = cache.get(cacheKey);
          if (key === undefined) {
            if (cache.size >= MAX_CACHED_LOOKUP_KEYS) cache.delete(cache.keys().next().value as string);
            key = prepareAsymmetricKey(raw, algorithm);
            key.catch(() => cache.delete(cacheKey));
            cache.set(cacheKey, key);
          }
          return key;
        });
        return (await Promise.all(prepared)).map(wrap);
      },
    };
  }
  const entries: [KeyInput, "public" | "private"][] = [];
  if (privateKey !== undefined) entries.push([privateKey, "private"]);
  if (publicKey !== undefined) entries.push([publicKey, "public"]);
  for (const key of publicKeys ?? []) entries.push([key, "public"]);
  if (entries.length === 0) {
    throw new WebhookError(
      "invalid_options",
      "the scheme has no key: pass `publicKey` (the sender's public key; if it comes from the environment, is the variable set where this runs?) or `privateKey` to sign",
    );
  }
  const raws = entries.map(([input, kind]) => [decodeKeyInput(input, algorithm, encoding), kind] as const);
  return staticKeyring(() =>
    Promise.all(raws.map(async ([raw, kind]) => wrap(checkKind(await prepareAsymmetricKey(raw, algorithm), kind)))),
  );
}

function rawCacheKey(raw: RawAsymmetricKey): string {
  const data = raw.data.format === "jwk" ? JSON.stringify(raw.data.jwk) : encodeHex(raw.data.der);
  return `${raw.id ?? ""}:${raw.data.format}:${data}`;
}

/** Keys prepared once, on first use; a failed import is retried on the next call. */
export function staticKeyring(prepare: () => Promise<readonly PreparedSignatureKey[]>): SignatureKeyring {
  let prepared: readonly PreparedSignatureKey[] | undefined;
  let preparing: Promise<readonly PreparedSignatureKey[]> | undefined;
  return {
    keysFor() {
      if (prepared !== undefined) return prepared;
      preparing ??= prepare().then(
        (keys) => {
          prepared = keys;
          return keys;
        },
        (error: unknown) => {
          preparing = undefined;
          throw error;
        },
      );
      return preparing;
    },
  };
}

/** Several keyrings as one (Standard Webhooks mixes `v1` secrets and `v1a` keys), in order. */
export function combineKeyrings(keyrings: readonly SignatureKeyring[]): SignatureKeyring {
  if (keyrings.length === 1 && keyrings[0] !== undefined) return keyrings[0];
  return {
    async keysFor(tenant) {
      const all = await Promise.all(keyrings.map((keyring) => keyring.keysFor(tenant)));
      return all.flat();
    },
  };
}
