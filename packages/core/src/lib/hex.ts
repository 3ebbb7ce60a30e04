// A lookup table rather than three range checks per character: every hex signature
// is decoded on the hot path, and the table is several times faster.
const DECODE_TABLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  DECODE_TABLE["0123456789abcdef".charCodeAt(i)] = i;
  DECODE_TABLE["0123456789ABCDEF".charCodeAt(i)] = i;
}

function hexDigit(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? (DECODE_TABLE[code] ?? -1) : -1;
}

/** Decodes lowercase or uppercase hex; `undefined` for anything else (never throws). */
export function decodeHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const high = hexDigit(text, 2 * i);
    const low = hexDigit(text, 2 * i + 1);
    if ((high | low) < 0) return undefined;
    out[i] = (high << 4) | low;
  }
  return out;
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Encodes bytes as lowercase hex. */
export function encodeHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX_PAIRS[byte];
  return out;
}
