import { concatBytes } from "../../lib/concat.js";

/** Most of a response body kept: enough for a token response or an error message. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** Collects chunks up to `MAX_RESPONSE_BYTES`; the rest is dropped. */
export function createLimitedCollector(): { add(chunk: Uint8Array): boolean; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  return {
    add(chunk) {
      const room = MAX_RESPONSE_BYTES - total;
      if (room <= 0) return false;
      const kept = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
      chunks.push(kept);
      total += kept.byteLength;
      return total < MAX_RESPONSE_BYTES;
    },
    bytes() {
      return concatBytes(chunks);
    },
  };
}
