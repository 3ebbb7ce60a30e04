// Importing a `v1a` key, loaded on demand by `keys.ts`: a verifier with `whsec_`
// secrets only never loads (or bundles) the asymmetric key code.
import { cryptoBackend, ED25519_PKCS8_PREFIX, ED25519_SPKI_PREFIX } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { concatBytes } from "../../lib/concat.js";
import { prepareAsymmetricKey } from "../../keys/asymmetric-keys.js";
import { decodeEd25519Key, type Ed25519KeyInput } from "../../keys/ed25519-keys.js";
import type { PreparedSignatureKey } from "../../keys/signature-keyring.js";
import { ed25519Signature } from "../signature/algorithm.js";

const V1A = ed25519Signature();

/** Imports a `whsk_`/`whpk_` key as a v1a key in `slot`, checking a 64-byte `whsk_`'s public half against its seed. */
export async function prepareEd25519(
  input: Ed25519KeyInput,
  type: "private" | "public",
  slot: number,
): Promise<PreparedSignatureKey> {
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
  return { id: key.id, slot, hmac: undefined, verifyKey: key.publicKey, signKey: key.privateKey };
}
