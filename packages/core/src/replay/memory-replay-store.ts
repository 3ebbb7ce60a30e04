import { WebhookError } from "../errors/webhook-error.js";
import type { ClaimResult, ClaimTerms, ReplayStore } from "./replay-store.js";

/** The in-memory store answers synchronously (the verifier's hot path then awaits nothing). */
export interface MemoryReplayStore extends ReplayStore {
  claim(key: string, terms: ClaimTerms): ClaimResult;
  renew(key: string, token: string, leaseMs: number): boolean;
  complete(key: string, token: string, retainMs: number): boolean;
  release(key: string, token: string): void;
}

/**
 * Options of {@link createMemoryReplayStore}: its bound and eviction hook. One process only; use `@hooksec/redis` for several.
 */
export interface MemoryReplayStoreOptions {
  /**
   * Most message ids kept. Default 1 000 000 (about 70 bytes each, whatever the
   * id's length; memory grows with use, up to this bound). When every entry is
   * still inside its replay window or being processed, new claims fail closed
   * with `replay_store_full` (503) rather than forget one.
   */
  readonly maxEntries?: number;
  /**
   * Called for each completed message forgotten before its retention ended (past
   * its replay window) to make room. The store keeps a digest of each key, not the
   * key: it receives that digest (32 hex digits, see `replayKeyDigest`).
   */
  readonly onEvict?: (keyDigest: string) => void;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

const COMPLETED: ClaimResult = { state: "completed" };
/** How many entries one claim may look at to make room: keeps a full store O(1). */
const MAKE_ROOM_STEPS = 16;
/** Slots and index capacity of a new store; both double as it fills (up to `maxEntries`). */
const INITIAL_SLOTS = 1024;
/** Tokens not issued by this store (a caller's own) get ids of their own; at most this many are kept. */
const MAX_FOREIGN_TOKENS = 10_000;

// ---------------------------------------------------------------------------
// The key digest: SHA-256 truncated to 128 bits, in plain synchronous code (the
// store must answer without awaiting, and the core's default entry has Web APIs
// only: `crypto.subtle.digest` is asynchronous).
//
// Why 128 bits is enough: the store tells two messages apart by their digests
// only, so two keys with one digest would make the second message look like a
// duplicate of the first. For keys not chosen against the hash, the chance that
// any two of n keys ever share a digest is at most n^2 / 2^129: 2^-65 for 2^32
// (4 billion) keys, and the store holds at most `maxEntries` at once. Chosen
// keys do not help an attacker either: to make its message collide with another
// sender's, it would need a second preimage of SHA-256/128 (2^128 work); a
// birthday collision (2^64) only makes two messages of its own collide. SHA-256
// rather than a fast non-cryptographic hash for exactly that reason: ids are
// chosen by senders, and for hashes such as MurmurHash3 collisions can be built.
//
// The input is the key's UTF-16 code units, two bytes each (big-endian): an
// injective encoding (unlike UTF-8, which turns every lone surrogate into U+FFFD)
// that needs no TextEncoder.
// ---------------------------------------------------------------------------

// The constants (FIPS 180-4, 4.2.2 and 5.3.3) are computed rather than listed: the first
// 32 bits of the fractional parts of the cube roots of the first 64 primes (K) and of
// the square roots of the first 8 (the initial hash). Exact in any engine: each root's
// fractional part lies at least 2^-40 from a multiple of 2^-32, hundreds of times a
// root's rounding error (an ulp is at most 2^-50 here; checked with BigInt in the tests).
const K = new Int32Array(64);
const INITIAL = new Int32Array(8);
for (let n = 2, found = 0; found < 64; n++) {
  let prime = true;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
  if (!prime) continue;
  if (found < 8) INITIAL[found] = (Math.sqrt(n) % 1) * 0x100000000;
  K[found++] = (Math.cbrt(n) % 1) * 0x100000000;
}
const W = new Int32Array(64);
const H = new Int32Array(8);

/** SHA-256 of `key`'s UTF-16BE code units into H (all eight words). */
function sha256Utf16(key: string): void {
  let h0 = INITIAL[0] as number;
  let h1 = INITIAL[1] as number;
  let h2 = INITIAL[2] as number;
  let h3 = INITIAL[3] as number;
  let h4 = INITIAL[4] as number;
  let h5 = INITIAL[5] as number;
  let h6 = INITIAL[6] as number;
  let h7 = INITIAL[7] as number;
  const units = key.length;
  // Message bytes 2 * units, then 0x80, zeros, and the 64-bit bit length.
  const totalWords = (((units * 2 + 8) >> 6) + 1) * 16;
  for (let block = 0; block < totalWords; block += 16) {
    for (let t = 0; t < 16; t++) {
      const u = (block + t) * 2;
      let word: number;
      if (u + 1 < units) word = (key.charCodeAt(u) << 16) | key.charCodeAt(u + 1);
      else if (u + 1 === units) word = (key.charCodeAt(u) << 16) | 0x8000;
      else if (u === units) word = 0x80000000 | 0;
      else word = 0;
      W[t] = word;
    }
    if (block + 16 === totalWords) {
      // units * 16 bits: below 2^53, so its high word is exact.
      W[14] = Math.floor((units * 16) / 0x100000000) | 0;
      W[15] = (units * 16) | 0;
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15] as number;
      const w2 = W[t - 2] as number;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[t] as number) + (W[t] as number)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  H[0] = h0;
  H[1] = h1;
  H[2] = h2;
  H[3] = h3;
  H[4] = h4;
  H[5] = h5;
  H[6] = h6;
  H[7] = h7;
}

const hex8 = (word: number): string => (word >>> 0).toString(16).padStart(8, "0");

/**
 * The digest the in-memory store keeps of a replay key: the first 128 bits of
 * SHA-256 over its UTF-16 code units (big-endian), as 32 hex digits. `onEvict`
 * receives it.
 */
export function replayKeyDigest(key: string): string {
  sha256Utf16(key);
  return hex8(H[0] as number) + hex8(H[1] as number) + hex8(H[2] as number) + hex8(H[3] as number);
}

/**
 * The default `ReplayStore`: one process, O(1) per operation, bounded. It never
 * forgets a message inside its replay window (it fails closed instead), so no
 * caller, however many valid messages it sends, can push out another's claims
 * and replay them. Completed messages past their window go oldest first when
 * room is needed. For several instances use `@hooksec/redis`.
 *
 * It keeps about 70 bytes per message id, whatever the id's length: a 128-bit
 * digest of the key (see `replayKeyDigest`), the state, token and times packed in
 * typed arrays (no object, no string per message), an open-addressing index.
 *
 * @example
 * const verifier = createVerifier({ scheme, replay: { store: createMemoryReplayStore({ maxEntries: 100_000 }) } });
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): MemoryReplayStore {
  const maxEntries = options.maxEntries ?? 1_000_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new WebhookError("invalid_options", "createMemoryReplayStore: maxEntries must be a positive integer");
  }
  const now = options.now ?? Date.now;
  const { onEvict } = options;

  // Entries live in slots 1..capacity of parallel typed arrays (slot 0 is "none"):
  // the key's digest (4 words), the claim's token, the end of its lease (while
  // processing) or of its retention (once completed), the end of its replay
  // window (until then a completed entry is never evicted), whether it completed,
  // and its neighbours in arrival order (a doubly linked list, oldest first).
  let capacity = Math.min(INITIAL_SLOTS, maxEntries);
  let d0 = new Int32Array(capacity + 1);
  let d1 = new Int32Array(capacity + 1);
  let d2 = new Int32Array(capacity + 1);
  let d3 = new Int32Array(capacity + 1);
  let tokens = new Float64Array(capacity + 1);
  let expiresAt = new Float64Array(capacity + 1);
  let protectedUntil = new Float64Array(capacity + 1);
  let completed = new Uint8Array(capacity + 1);
  let prev = new Int32Array(capacity + 1);
  let next = new Int32Array(capacity + 1);
  // The index: linear probing over slot numbers (0 = empty), at most half full.
  let index = new Int32Array(indexSizeFor(capacity));
  let mask = index.length - 1;
  let size = 0;
  let used = 0; // slots ever handed out: 1..used
  let free = 0; // freed slots, linked through `next`
  let oldest = 0;
  let newest = 0;
  // Tokens only need to be unique within this store: a counter is enough.
  let counter = 0;
  let foreignCounter = 0;
  const foreignTokens = new Map<string, number>();

  // The digest of the key being worked on (H[0..3] after `sha256Utf16`). One
  // key's digest is remembered: a claim and its completion often follow each other.
  let lastKey: string | undefined;
  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  function digest(key: string): void {
    if (key === lastKey) return;
    sha256Utf16(key);
    k0 = H[0] as number;
    k1 = H[1] as number;
    k2 = H[2] as number;
    k3 = H[3] as number;
    lastKey = key;
  }

  /** The slot of the current digest, or 0. */
  function find(): number {
    for (let i = k0 & mask; ; i = (i + 1) & mask) {
      const slot = index[i] as number;
      if (slot === 0) return 0;
      if (d0[slot] === k0 && d1[slot] === k1 && d2[slot] === k2 && d3[slot] === k3) return slot;
    }
  }

  function insertIntoIndex(slot: number): void {
    let i = (d0[slot] as number) & mask;
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = slot;
  }

  /** Takes `slot` out of the index (backward-shift deletion: no tombstones). */
  function removeFromIndex(slot: number): void {
    let i = (d0[slot] as number) & mask;
    while (index[i] !== slot) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const moving = index[j] as number;
      if (moving === 0) break;
      const home = (d0[moving] as number) & mask;
      // `moving` may fill the hole at i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        index[i] = moving;
        i = j;
      }
    }
    index[i] = 0;
  }

  function grow(): void {
    // Past maxEntries only for the rare renewal or completion of a lapsed claim
    // that finds the store full (it is never refused: the work is being done).
    const grown = capacity < maxEntries ? Math.min(capacity * 2, maxEntries) : capacity + Math.max(1024, capacity >> 3);
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(array: T): T => {
      const wider = new (array.constructor as new (length: number) => T)(grown + 1);
      wider.set(array);
      return wider;
    };
    d0 = widen(d0);
    d1 = widen(d1);
    d2 = widen(d2);
    d3 = widen(d3);
    tokens = widen(tokens);
    expiresAt = widen(expiresAt);
    protectedUntil = widen(protectedUntil);
    completed = widen(completed);
    prev = widen(prev);
    next = widen(next);
    capacity = grown;
    index = new Int32Array(indexSizeFor(capacity));
    mask = index.length - 1;
    for (let slot = oldest; slot !== 0; slot = next[slot] as number) insertIntoIndex(slot);
  }

  function append(slot: number): void {
    prev[slot] = newest;
    next[slot] = 0;
    if (newest === 0) oldest = slot;
    else next[newest] = slot;
    newest = slot;
  }

  function unlink(slot: number): void {
    const before = prev[slot] as number;
    const after = next[slot] as number;
    if (before === 0) oldest = after;
    else next[before] = after;
    if (after === 0) newest = before;
    else prev[after] = before;
  }

  /** Adds the current digest as the newest entry; there must be room. */
  function add(token: number, done: boolean, expires: number, protectedTill: number): void {
    let slot: number;
    if (free !== 0) {
      slot = free;
      free = next[slot] as number;
    } else {
      if (used === capacity) grow();
      slot = ++used;
    }
    d0[slot] = k0;
    d1[slot] = k1;
    d2[slot] = k2;
    d3[slot] = k3;
    tokens[slot] = token;
    completed[slot] = done ? 1 : 0;
    expiresAt[slot] = expires;
    protectedUntil[slot] = protectedTill;
    append(slot);
    insertIntoIndex(slot);
    size++;
  }

  function remove(slot: number): void {
    removeFromIndex(slot);
    unlink(slot);
    next[slot] = free;
    free = slot;
    size--;
  }

  const isLive = (slot: number, time: number): boolean => (expiresAt[slot] as number) > time;

  // Lifetimes are alike, so lapsed and expired entries gather at the front:
  // dropping a few per claim keeps memory tight at O(1).
  function sweep(time: number): void {
    for (let i = 0; i < 4 && oldest !== 0; i++) {
      if (isLive(oldest, time)) return;
      remove(oldest);
    }
  }

  // Frees one slot: an expired entry, or the oldest completed one past its
  // window. An entry still processing goes to the back of the line. Never
  // anything inside its window: then there is no room, and the claim fails.
  function makeRoom(time: number): boolean {
    for (let step = 0; step < MAKE_ROOM_STEPS && oldest !== 0; step++) {
      const slot = oldest;
      const live = isLive(slot, time);
      if (live && completed[slot] === 1 && (protectedUntil[slot] as number) > time) return false;
      if (live && completed[slot] === 0) {
        unlink(slot);
        append(slot);
        continue;
      }
      const evicted =
        live && onEvict !== undefined
          ? hex8(d0[slot] as number) + hex8(d1[slot] as number) + hex8(d2[slot] as number) + hex8(d3[slot] as number)
          : undefined;
      remove(slot);
      if (evicted !== undefined) onEvict?.(evicted);
      return true;
    }
    return false;
  }

  /** The number a token string stands for (one this store issued: its counter). */
  function tokenId(token: string): number {
    const n = Number(token);
    if (Number.isSafeInteger(n) && n > 0 && n <= counter && String(n) === token) return n;
    let id = foreignTokens.get(token);
    if (id === undefined) {
      // A token this store never issued (a caller's own): an id of its own, never a counter's.
      if (foreignTokens.size >= MAX_FOREIGN_TOKENS) foreignTokens.clear();
      id = --foreignCounter;
      foreignTokens.set(token, id);
    }
    return id;
  }

  return {
    claim(key, terms) {
      const time = now();
      digest(key);
      const existing = find();
      if (existing !== 0) {
        if (isLive(existing, time)) {
          return completed[existing] === 1
            ? COMPLETED
            : { state: "in_progress", retryAfterMs: (expiresAt[existing] as number) - time };
        }
        remove(existing);
      }
      sweep(time);
      if (size >= maxEntries && !makeRoom(time)) {
        throw new WebhookError(
          "replay_store_full",
          `the in-memory replay store holds ${size} messages still inside their replay window or being processed: raise maxEntries or use a shared store such as @hooksec/redis`,
        );
      }
      const token = ++counter;
      add(token, false, time + terms.leaseMs, time + terms.windowMs);
      return { state: "acquired", token: String(token) };
    },
    renew(key, token, leaseMs) {
      const time = now();
      digest(key);
      const id = tokenId(token);
      const slot = find();
      if (slot !== 0) {
        if (tokens[slot] === id) {
          if (completed[slot] === 0) expiresAt[slot] = time + leaseMs;
          return true;
        }
        if (isLive(slot, time)) return false;
        remove(slot);
      }
      // Lapsed and nobody claimed it since: this receiver is still at work, so it holds it again.
      add(id, false, time + leaseMs, time);
      return true;
    },
    complete(key, token, retainMs) {
      const time = now();
      digest(key);
      const id = tokenId(token);
      const slot = find();
      if (slot !== 0) {
        if (tokens[slot] === id) {
          completed[slot] = 1;
          expiresAt[slot] = time + retainMs;
          return true;
        }
        if (isLive(slot, time)) return false;
        remove(slot);
      }
      // Lapsed and nobody claimed it since: the work is done, remember it (and never evict it early).
      add(id, true, time + retainMs, time + retainMs);
      return true;
    },
    release(key, token) {
      digest(key);
      const slot = find();
      if (slot !== 0 && tokens[slot] === tokenId(token) && completed[slot] === 0) remove(slot);
    },
  };
}

/** A power of two at least twice `slots`: linear probing stays short. */
function indexSizeFor(slots: number): number {
  let size = 16;
  while (size < slots * 2) size *= 2;
  return size;
}
