// Independent re-computations of providers' documented recipes, on Web Crypto directly (no hooksec code).
import { encodeBase64 } from "../../../lib/base64.js";
import { encodeHex } from "../../../lib/hex.js";

export async function hmac(hash: "SHA-1" | "SHA-256", key: string, message: string | Uint8Array): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const imported = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash }, false, ["sign"]);
  const data = typeof message === "string" ? encoder.encode(message) : message;
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, data as Uint8Array<ArrayBuffer>));
}
export const hmacHex = async (hash: "SHA-1" | "SHA-256", key: string, message: string) =>
  encodeHex(await hmac(hash, key, message));
export const hmacBase64 = async (hash: "SHA-1" | "SHA-256", key: string, message: string) =>
  encodeBase64(await hmac(hash, key, message));
