import { cryptoBackend, ED25519_PKCS8_PREFIX, ED25519_SPKI_PREFIX } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { concatBytes } from "../../lib/concat.js";
import { encodeHex } from "../../lib/hex.js";
import { prepareAsymmetricKey } from "../../keys/asymmetric-keys.js";
import {
  decodeEd25519Key,
  type Ed25519KeyInput,
  PRIVATE_KEY_PREFIX,
  PUBLIC_KEY_PREFIX,
} from "../../keys/ed25519-keys.js";
import { decodeInput, prepareKey } from "../../keys/keyring.js";
import type { SecretInput, SecretLookup } from "../../keys/secret-input.js";
import {
  combineKeyrings,
  hmacKeyring,
  type PreparedSignatureKey,
  type SignatureKeyring,
  staticKeyring,
} from "../../keys/signature-keyring.js";
import { resolveAlgorithm } from "../signature/algorithm.js";
import { decodeStandardSecret } from "./format.js";

/** `v1`: HMAC-SHA256 with a `whsec_` secret; `v1a`: Ed25519 with `whsk_`/`whpk_` keys. Slots in this order. */
export const V1 = resolveAlgorithm("hmac-sha256");
const V1A = resolveAlgorithm("ed25519");
const V1_SLOT = 0;
const V1A_SLOT = 1;

/** Every key of a Standard Webhooks keyring, sorted by kind, in the order given. */
export interface StandardKeys {
  readonly secrets: readonly SecretInput[];
  readonly privateKeys: readonly Ed25519KeyInput[];
  readonly publicKeys: readonly Ed25519KeyInput[];
}

/** Sorts keyring entries by their prefix: `whsk_` private, `whpk_` public, anything else an HMAC secret. */
export function sortStandardKeys(inputs: readonly SecretInput[]): StandardKeys {
  const secrets: SecretInput[] = [];
  const privateKeys: Ed25519KeyInput[] = [];
  const publicKeys: Ed25519KeyInput[] = [];
  for (const input of inputs) {
    const entry =
      typeof input === "object" && !(input instanceof Uint8Array) ? input : { id: undefined, secret: input };
    const text = typeof entry.secret === "string" ? entry.secret : "";
    if (text.startsWith(PRIVATE_KEY_PREFIX)) privateKeys.push({ id: entry.id, key: text });
    else if (text.startsWith(PUBLIC_KEY_PREFIX)) publicKeys.push({ id: entry.id, key: text });
    else secrets.push(input);
  }
  return { secrets, privateKeys, publicKeys };
}

/** Imports a `whsk_`/`whpk_` key as a v1a key, checking a 64-byte `whsk_`'s public half against its seed. */
async function prepareEd25519(input: Ed25519KeyInput, type: "private" | "public"): Promise<PreparedSignatureKey> {
  const raw = decodeEd25519Key(input, type);
  const der = concatBytes([type === "private" ? ED25519_PKCS8_PREFIX : ED25519_SPKI_PREFIX, raw.bytes]);
  const key = await prepareAsymmetricKey(
    { id: raw.id, data: { format: type === "private" ? "pkcs8" : "spki", der } },
    V1A,
  );
  der.fill(0);
  if (
    raw.claimedPublic !== undefined &&
    !cryptoBackend.timingSafeEqual(raw.claimedPublic, key.spki.subarray(ED25519_SPKI_PREFIX.length))
  ) {
    throw new WebhookError("invalid_options", "the whsk_ key's public half does not belong to its seed");
  }
  return { id: key.id, slot: V1A_SLOT, hmac: undefined, verifyKey: key.publicKey, signKey: key.privateKey };
}

/** Fixed keys: `v1` secrets and `v1a` keys together, keys decoded now (a bad one fails when built). */
export function standardKeyring(keys: StandardKeys): SignatureKeyring {
  const keyrings: SignatureKeyring[] = [];
  if (keys.secrets.length > 0) keyrings.push(hmacKeyring({ secrets: keys.secrets }, V1, decodeStandardSecret, V1_SLOT));
  const edKeys = [
    ...keys.privateKeys.map((input) => [input, "private"] as const),
    ...keys.publicKeys.map((input) => [input, "public"] as const),
  ];
  for (const [input, type] of edKeys) decodeEd25519Key(input, type);
  if (edKeys.length > 0)
    keyrings.push(staticKeyring(() => Promise.all(edKeys.map(([input, type]) => prepareEd25519(input, type)))));
  return combineKeyrings(keyrings);
}

const MAX_CACHED_LOOKUP_KEYS = 1024;

function remember(
  cache: Map<string, Promise<PreparedSignatureKey>>,
  key: string,
  make: () => Promise<PreparedSignatureKey>,
) {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_CACHED_LOOKUP_KEYS) cache.delete(cache.keys().next().value as string);
    value = make();
    // a key that failed to import is not remembered
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

/** A per-tenant lookup whose answer may mix `whsec_`, `whsk_` and `whpk_`; imported keys are cached by content. */
export function lookedUpStandardKeyring(lookup: SecretLookup): SignatureKeyring {
  const cache = new Map<string, Promise<PreparedSignatureKey>>();
  return {
    async keysFor(tenant) {
      let found: SecretInput | readonly SecretInput[] | undefined;
      try {
        found = await lookup({ tenant });
      } catch (cause) {
        throw new WebhookError("invalid_options", "the secrets lookup failed", { cause });
      }
      if (found === undefined) return [];
      const keys = sortStandardKeys(Array.isArray(found) ? found : [found as SecretInput]);
      const secrets = keys.secrets.map((input) => {
        const raw = decodeInput(input, decodeStandardSecret);
        return remember(cache, `v1:${raw.id ?? ""}:${encodeHex(raw.bytes)}`, async () => {
          const { id, key } = await prepareKey(raw, "SHA-256");
          return { id, slot: V1_SLOT, hmac: key, verifyKey: undefined, signKey: undefined };
        });
      });
      const ed25519 = [
        ...keys.privateKeys.map((input) => ["private", input] as const),
        ...keys.publicKeys.map((input) => ["public", input] as const),
      ].map(([type, input]) => {
        const raw = decodeEd25519Key(input, type);
        return remember(cache, `${type}:${raw.id ?? ""}:${encodeHex(raw.bytes)}`, () => prepareEd25519(input, type));
      });
      return Promise.all([...secrets, ...ed25519]);
    },
  };
}
