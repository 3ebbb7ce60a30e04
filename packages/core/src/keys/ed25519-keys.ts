import { WebhookError } from "../errors/webhook-error.js";
import { decodeBase64 } from "../lib/base64.js";

/** An Ed25519 key as Standard Webhooks writes it: `whsk_<base64>` (private) or `whpk_<base64>` (public). */
export interface Ed25519KeyInput {
  readonly id?: string;
  readonly key: string | Uint8Array;
}

export const PRIVATE_KEY_PREFIX = "whsk_";
export const PUBLIC_KEY_PREFIX = "whpk_";

interface RawEd25519Key {
  readonly id: string | undefined;
  readonly type: "private" | "public";
  /** 32-byte seed for a private key, 32-byte point for a public one. */
  readonly bytes: Uint8Array;
  /** The public half a 64-byte `whsk_` carries after its seed, checked against the seed. */
  readonly claimedPublic: Uint8Array | undefined;
}

/**
 * Decodes `whsk_` (a 32-byte seed, or 64 bytes of seed then public key as the
 * Standard Webhooks libraries write it) or `whpk_` (32 bytes). Throws
 * `invalid_options` for anything else: keys come from configuration.
 */
export function decodeEd25519Key(input: Ed25519KeyInput, type: "private" | "public"): RawEd25519Key {
  const prefix = type === "private" ? PRIVATE_KEY_PREFIX : PUBLIC_KEY_PREFIX;
  const { key } = input;
  let bytes: Uint8Array | undefined;
  if (key instanceof Uint8Array) bytes = key;
  else if (typeof key === "string") bytes = decodeBase64(key.startsWith(prefix) ? key.slice(prefix.length) : key);
  const valid = type === "private" ? bytes?.length === 32 || bytes?.length === 64 : bytes?.length === 32;
  if (bytes === undefined || !valid) {
    throw new WebhookError(
      "invalid_options",
      `an Ed25519 ${type} key must be ${prefix}<base64 of ${type === "private" ? "32 or 64" : "32"} bytes>`,
    );
  }
  return {
    id: input.id,
    type,
    bytes: bytes.subarray(0, 32),
    claimedPublic: bytes.length === 64 ? bytes.subarray(32) : undefined,
  };
}
