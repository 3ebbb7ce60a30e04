import type { ReplayStore } from "./replay-store.js";

export interface MemoryReplayStoreOptions {
  /** Most keys kept; the least recently claimed go first. Default 100 000 (about 20 MB). */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

interface Claim {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * The default `ReplayStore`: one process, bounded (LRU) with a TTL per key,
 * O(1) per claim. Only verified messages are claimed, so an attacker cannot
 * fill it. For several instances use `@hooksec/redis`.
 *
 * @example
 * const verifier = createVerifier({ scheme, replay: { store: createMemoryReplayStore({ maxEntries: 10_000 }) } });
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer");
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on claim keeps the oldest first.
  const claims = new Map<string, Claim>();
  let counter = 0;
  const tokenPrefix = Math.random().toString(36).slice(2);

  // Claims are kept in claim order and TTLs are alike, so expired keys gather at
  // the front: dropping a couple per claim keeps memory tight at O(1).
  function sweepExpired(time: number): void {
    for (let i = 0; i < 2; i++) {
      const oldest = claims.entries().next();
      if (oldest.done || oldest.value[1].expiresAt > time) return;
      claims.delete(oldest.value[0]);
    }
  }

  return {
    claim(key, ttlMs) {
      const time = now();
      const existing = claims.get(key);
      if (existing !== undefined) {
        if (existing.expiresAt > time) return null;
        claims.delete(key);
      }
      sweepExpired(time);
      if (claims.size >= maxEntries) {
        const oldest = claims.keys().next();
        if (!oldest.done) claims.delete(oldest.value);
      }
      const token = `${tokenPrefix}.${++counter}`;
      claims.set(key, { token, expiresAt: time + ttlMs });
      return token;
    },
    release(key, token) {
      if (claims.get(key)?.token === token) claims.delete(key);
    },
  };
}
