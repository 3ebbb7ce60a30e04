import { utf8 } from "./utf8.js";

/** Concatenates byte arrays (and text, as its UTF-8) into one new array. */
export function concatBytes(parts: readonly (Uint8Array | string)[]): Uint8Array {
  const bytes = parts.map((part) => (typeof part === "string" ? utf8(part) : part));
  let length = 0;
  for (const part of bytes) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of bytes) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The parts as one array of bytes, without a copy when there is a single byte part. */
export function joinParts(parts: readonly (Uint8Array | string)[]): Uint8Array {
  const only = parts.length === 1 ? parts[0] : undefined;
  return only instanceof Uint8Array ? only : concatBytes(parts);
}
