import type { ReplayStore } from "./replay-store.js";

export interface MemoryReplayStoreOptions {
  /** Most keys kept; the oldest claims go first. Default 100 000 (about 20 MB). */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/** One claim, kept both in the Map (by key) and in the queue (in arrival order). */
interface Claim {
  readonly key: string;
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * The default `ReplayStore`: one process, bounded (oldest claims evicted first)
 * with a TTL per key, O(1) per claim. Only verified messages are claimed, so an
 * attacker cannot fill it. For several instances use `@hooksec/redis`.
 *
 * @example
 * const verifier = createVerifier({ scheme, replay: { store: createMemoryReplayStore({ maxEntries: 10_000 }) } });
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer");
  const now = options.now ?? Date.now;
  const claims = new Map<string, Claim>();
  // Arrival order lives in a queue beside the Map: evicting through the Map's
  // own iterator gets slower and slower (V8 walks the deleted slots at its front).
  let queue: Claim[] = [];
  let head = 0;
  // Tokens only need to be unique within this store: a counter is enough.
  let counter = 0;

  // A queued claim is stale once its key was released or claimed again.
  function isCurrent(entry: Claim): boolean {
    return claims.get(entry.key) === entry;
  }

  function dropHead(): void {
    head++;
    // Compact now and then so the queue's memory stays proportional to what it holds.
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  // TTLs are alike, so expired and stale claims gather at the front: dropping a
  // few per claim keeps memory tight at O(1).
  function sweep(time: number): void {
    for (let i = 0; i < 4 && head < queue.length; i++) {
      const oldest = queue[head] as Claim;
      if (isCurrent(oldest)) {
        if (oldest.expiresAt > time) return;
        claims.delete(oldest.key);
      }
      dropHead();
    }
  }

  function evictOldest(): void {
    while (head < queue.length) {
      const oldest = queue[head] as Claim;
      dropHead();
      if (isCurrent(oldest)) {
        claims.delete(oldest.key);
        return;
      }
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
      sweep(time);
      if (claims.size >= maxEntries) evictOldest();
      const claim: Claim = { key, token: String(++counter), expiresAt: time + ttlMs };
      claims.set(key, claim);
      queue.push(claim);
      return claim.token;
    },
    release(key, token) {
      if (claims.get(key)?.token === token) claims.delete(key);
    },
  };
}
