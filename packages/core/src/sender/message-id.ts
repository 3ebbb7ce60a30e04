import { cryptoBackend } from "#crypto";
import { encodeBase64 } from "../lib/base64.js";

/** `msg_` and 128 random bits in base64url: unique, and valid in every scheme's id header. */
export function generateMessageId(): string {
  const random = encodeBase64(cryptoBackend.randomBytes(16));
  return `msg_${random.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
