// ECDSA signatures travel in two shapes: DER (`SEQUENCE { INTEGER r, INTEGER s }`, what
// openssl, Java and most SDKs write) and the fixed-length `r || s` Web Crypto uses.

/** `r || s` of `size`-byte halves from a strict DER signature; `undefined` for anything else (never throws). */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array | undefined {
  // Short-form lengths only: a P-256 or P-384 signature is at most 104 bytes.
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2 || (der[1] as number) >= 0x80) return undefined;
  const out = new Uint8Array(2 * size);
  let offset = 2;
  for (let half = 0; half < 2; half++) {
    if (der[offset] !== 0x02) return undefined;
    const length = der[offset + 1] as number;
    const start = offset + 2;
    if (length === 0 || length >= 0x80 || start + length > der.length) return undefined;
    const first = der[start] as number;
    // Minimal and positive, as DER requires: so each signature has exactly one encoding.
    if (first & 0x80) return undefined;
    if (first === 0 && (length === 1 || !((der[start + 1] as number) & 0x80))) return undefined;
    const value = first === 0 ? der.subarray(start + 1, start + length) : der.subarray(start, start + length);
    if (value.length > size) return undefined;
    out.set(value, half * size + size - value.length);
    offset = start + length;
  }
  return offset === der.length ? out : undefined;
}

function derInteger(bytes: Uint8Array): number[] {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const value = Array.from(bytes.subarray(start));
  if (((value[0] as number) & 0x80) !== 0) value.unshift(0);
  return [0x02, value.length, ...value];
}

/** DER of an `r || s` signature. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const size = raw.length / 2;
  const body = [...derInteger(raw.subarray(0, size)), ...derInteger(raw.subarray(size))];
  return Uint8Array.from([0x30, body.length, ...body]);
}
