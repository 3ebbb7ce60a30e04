// A per-tenant lookup's keyring, loaded on demand by `keys.ts` with the first
// verification: the answer may mix `whsec_`, `whsk_` and `whpk_` keys, imported
// ones are cached by content.
import { decodeEd25519Key } from "../../keys/ed25519-keys.js";
import { decodeInput, prepareKey } from "../../keys/keyring.js";
import { lookUpList } from "../../keys/look-up.js";
import type { SecretLookup } from "../../keys/secret-input.js";
import type { PreparedSignatureKey, SignatureKeyring } from "../../keys/signature-keyring.js";
import { encodeHex } from "../../lib/hex.js";
import { prepareEd25519 } from "./ed25519-key.js";
import { decodeStandardSecret } from "./format.js";
import { sortStandardKeys, V1_SLOT, V1A_SLOT } from "./keys.js";

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
      const keys = sortStandardKeys(await lookUpList(lookup, tenant, "secrets"));
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
        return remember(cache, `${type}:${raw.id ?? ""}:${encodeHex(raw.bytes)}`, () =>
          prepareEd25519(input, type, V1A_SLOT),
        );
      });
      return Promise.all([...secrets, ...ed25519]);
    },
  };
}
