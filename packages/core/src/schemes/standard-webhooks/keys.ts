import {
  decodeEd25519Key,
  type Ed25519KeyInput,
  PRIVATE_KEY_PREFIX,
  PUBLIC_KEY_PREFIX,
} from "../../keys/ed25519-keys.js";
import type { SecretInput, SecretLookup } from "../../keys/secret-input.js";
import {
  combineKeyrings,
  hmacKeyring,
  type PreparedSignatureKey,
  type SignatureKeyring,
  staticKeyring,
} from "../../keys/signature-keyring.js";
import { hmacSignature } from "../signature/algorithm.js";
import { decodeStandardSecret } from "./format.js";

/** `v1`: HMAC-SHA256 with a `whsec_` secret; `v1a`: Ed25519 with `whsk_`/`whpk_` keys. Slots in this order. */
export const V1 = hmacSignature("SHA-256");
export const V1_SLOT = 0;
export const V1A_SLOT = 1;

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

/** Imports a `whsk_`/`whpk_` key as a v1a key; the code that does is loaded with the first such key. */
function prepareEd25519(input: Ed25519KeyInput, type: "private" | "public"): Promise<PreparedSignatureKey> {
  return import("./ed25519-key.js").then((loaded) => loaded.prepareEd25519(input, type, V1A_SLOT));
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

/**
 * A per-tenant lookup whose answer may mix `whsec_`, `whsk_` and `whpk_`. Its code (the
 * cache of imported keys) is loaded with the first verification: a scheme with fixed
 * secrets never loads it.
 */
export function lookedUpStandardKeyring(lookup: SecretLookup): SignatureKeyring {
  let keyring: Promise<SignatureKeyring> | undefined;
  return {
    async keysFor(tenant) {
      keyring ??= import("./looked-up-keyring.js").then(
        (loaded) => loaded.lookedUpStandardKeyring(lookup),
        (error: unknown) => {
          keyring = undefined; // a chunk that failed to load is tried again
          throw error;
        },
      );
      return (await keyring).keysFor(tenant);
    },
  };
}
