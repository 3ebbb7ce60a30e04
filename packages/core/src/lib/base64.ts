// Strict base64 (RFC 4648 §4, padded) without Buffer or atob: atob is forgiving
// (it skips whitespace), and a signature parser must not be.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE_TABLE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i;

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? (DECODE_TABLE[code] ?? -1) : -1;
}

/** Decodes canonical padded standard base64; `undefined` for anything else (never throws). */
export function decodeBase64(text: string): Uint8Array | undefined {
  const length = text.length;
  if (length === 0) return new Uint8Array(0);
  if (length % 4 !== 0) return undefined;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < length; i += 4) {
    const last = i + 4 === length;
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = last && padding === 2 ? 0 : sextet(text, i + 2);
    const d = last && padding >= 1 ? 0 : sextet(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    // Canonical only: the bits under the padding must be zero, so each byte
    // string has exactly one accepted encoding (a signature cannot be re-spelled).
    if (last && ((padding === 2 && (b & 15) !== 0) || (padding === 1 && (c & 3) !== 0))) return undefined;
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = triple >> 16;
    if (o < out.length) out[o++] = (triple >> 8) & 0xff;
    if (o < out.length) out[o++] = triple & 0xff;
  }
  return out;
}

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const length = bytes.length;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const triple = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      ALPHABET.charAt(triple >> 18) +
      ALPHABET.charAt((triple >> 12) & 63) +
      ALPHABET.charAt((triple >> 6) & 63) +
      ALPHABET.charAt(triple & 63);
  }
  const rest = length - i;
  if (rest === 1) {
    const triple = (bytes[i] as number) << 16;
    out += `${ALPHABET.charAt(triple >> 18)}${ALPHABET.charAt((triple >> 12) & 63)}==`;
  } else if (rest === 2) {
    const triple = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${ALPHABET.charAt(triple >> 18)}${ALPHABET.charAt((triple >> 12) & 63)}${ALPHABET.charAt((triple >> 6) & 63)}=`;
  }
  return out;
}
