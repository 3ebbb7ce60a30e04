// Web Crypto wants a BufferSource backed by an ArrayBuffer; our bytes may view a
// SharedArrayBuffer in theory, so copy only in that unlikely case.
export function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
