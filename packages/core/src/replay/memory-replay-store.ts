import type { ReplayStore } from "./replay-store.js";

export interface MemoryReplayStoreOptions {
  /** Most keys kept; the oldest claims go first. Default 100 000 (about 20 MB). */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

interface Claim {
  readonly token: string;
  readonly expiresAt: number;
}

/** One claim in arrival order; stale once its key was released or claimed again. */
interface QueuedClaim {
  readonly key: string;
  readonly claim: Claim;
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
  let queue: QueuedClaim[] = [];
  let head = 0;
  let counter = 0;
  const tokenPrefix = Math.random().toString(36).slice(2);

  function isCurrent(entry: QueuedClaim): boolean {
    return claims.get(entry.key) === entry.claim;
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
      const oldest = queue[head] as QueuedClaim;
      if (isCurrent(oldest)) {
        if (oldest.claim.expiresAt > time) return;
        claims.delete(oldest.key);
      }
      dropHead();
    }
  }

  function evictOldest(): void {
    while (head < queue.length) {
      const oldest = queue[head] as QueuedClaim;
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
      const claim = { token: `${tokenPrefix}.${++counter}`, expiresAt: time + ttlMs };
      claims.set(key, claim);
      queue.push({ key, claim });
      return claim.token;
    },
    release(key, token) {
      if (claims.get(key)?.token === token) claims.delete(key);
    },
  };
}
