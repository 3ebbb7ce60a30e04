import { createHash } from "node:crypto";

// Where a message's state lives in Redis, and how it is packed (internal: the
// store and its tests use it; nothing else should read the keys).
//
// A key per message costs Redis about 110 bytes before it holds anything (the
// keyspace entry, the key's string, the value object, an entry in the expiry
// table, and both tables' slots), whatever the key says. So messages share keys:
//
//   key    <prefix><bucket>         a hash; <bucket> = the top bits of the
//                                   message key's digest, in hex (65 536 by default)
//   field  12 bytes                 the next 96 bits of the digest (binary)
//   value  12 bytes                 "p" (processing) or "c" (completed),
//                                   6 bytes: when the entry lapses (ms since
//                                   the epoch, big-endian, by the Redis clock),
//                                   5 bytes: the claim's token (fencing)
//   field  "s"                      "<HSCAN cursor>:<sweep threshold>": the
//                                   bucket's own sweeping of lapsed entries
//
// An entry whose time has passed counts as absent (each script reads the Redis
// clock with TIME), and a bucket sweeps its lapsed entries itself as it grows
// (see the scripts); the bucket key's own expiry is the latest of its entries',
// so a bucket nobody writes to any more goes away as a whole.
//
// Sizes: a small hash is a listpack (Redis' `hash-max-listpack-entries`, 512 by
// default, and values up to 64 bytes): about 30 bytes per message. A bucket that
// outgrows it becomes a hash table: a 32-byte entry and two 16-byte strings (12
// bytes each fit jemalloc's 16-byte class), about 80 bytes per message with the
// table's slots. Both stay under 100 bytes at any id length.
//
// The digest: SHA-256 over the message key's UTF-16 code units (an injective
// encoding: UTF-8 would turn every lone surrogate into U+FFFD), of which the
// bucket takes the top bits and the field bits 32 to 127. Two message keys are
// confused only when their buckets and fields both agree: at least 96 + 16 = 112
// bits with the default buckets. For keys not chosen against the hash the chance
// that any new message finds another's entry is at most (messages held) / 2^112
// each: with 10^9 held and 10^12 messages in all, under 2 * 10^-13. A sender
// choosing its ids cannot do better than a second preimage of SHA-256 (to hit
// another sender's message): a birthday collision only confuses two of its own.

/** The field that holds a bucket's sweeping state; message fields are 12 bytes, so it never clashes. */
export const SWEEP_FIELD = "s";
export const FIELD_BYTES = 12;
export const TOKEN_BYTES = 5;
export const VALUE_BYTES = 1 + 6 + TOKEN_BYTES;
export const DEFAULT_BUCKETS = 65_536;

/** Where a message key's state lives. */
export interface Location {
  /** The Redis key of the bucket (prefix included). */
  readonly key: string;
  /** The message's field in it. */
  readonly field: Buffer;
}

/** The bucket key and field of `id` (the core's namespaced message key). */
export function locate(prefix: string, id: string, bucketBits: number): Location {
  const digest = createHash("sha256").update(id, "utf16le").digest();
  const top = digest.readUInt32BE(0);
  const bucket = bucketBits === 0 ? 0 : top >>> (32 - bucketBits);
  const width = Math.max(1, Math.ceil(bucketBits / 4));
  return { key: prefix + bucket.toString(16).padStart(width, "0"), field: digest.subarray(4, 4 + FIELD_BYTES) };
}

/** The wire form of a token (`ClaimResult.token`: 10 hex digits) as the 5 bytes the scripts store. */
export function tokenBytes(token: string): Buffer {
  if (token.length === TOKEN_BYTES * 2 && /^[0-9a-f]+$/.test(token)) return Buffer.from(token, "hex");
  // Not one this package issued (a caller's own): 5 bytes of its own, always the same.
  return createHash("sha256").update(token, "utf8").digest().subarray(0, TOKEN_BYTES);
}

/** A stored value, decoded: for tests and tools. */
export interface DecodedEntry {
  readonly state: "p" | "c";
  readonly token: string;
  /** When the entry lapses, ms since the epoch (Redis clock). */
  readonly expiresAt: number;
}

export function decodeEntry(value: Uint8Array): DecodedEntry | undefined {
  if (value.length !== VALUE_BYTES) return undefined;
  const state = String.fromCharCode(value[0] as number);
  if (state !== "p" && state !== "c") return undefined;
  let expiresAt = 0;
  for (let i = 1; i <= 6; i++) expiresAt = expiresAt * 256 + (value[i] as number);
  return { state, token: Buffer.from(value.subarray(7)).toString("hex"), expiresAt };
}

/** `buckets` (a power of two, 1 to 2^24) as the number of digest bits it takes. */
export function bucketBitsOf(buckets: number): number | undefined {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 2 ** 24) return undefined;
  const bits = Math.log2(buckets);
  return Number.isInteger(bits) ? bits : undefined;
}
