import { WebhookError } from "../errors/webhook-error.js";
import type { ClaimResult, ClaimTerms, ReplayStore } from "./replay-store.js";

/** The in-memory store answers synchronously (the verifier's hot path then awaits nothing). */
export interface MemoryReplayStore extends ReplayStore {
  claim(key: string, terms: ClaimTerms): ClaimResult;
  renew(key: string, token: string, leaseMs: number): boolean;
  complete(key: string, token: string, retainMs: number): boolean;
  release(key: string, token: string): void;
}

export interface MemoryReplayStoreOptions {
  /**
   * Most message ids kept. Default 1 000 000 (a few hundred bytes each, only
   * ever reached by that many verified messages within the retention horizon).
   * When every entry is still inside its replay window or being processed, new
   * claims fail closed with `replay_store_full` (503) rather than forget one.
   */
  readonly maxEntries?: number;
  /** Called for each completed message forgotten before its retention ended (past its replay window) to make room. */
  readonly onEvict?: (key: string) => void;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/** One message id, kept both in the Map (by key) and in the queue (in arrival order). */
interface Entry {
  readonly key: string;
  readonly token: string;
  completed: boolean;
  /** End of the lease while processing; end of retention once completed. */
  expiresAt: number;
  /** Until then a completed entry is never evicted: a captured delivery would still be fresh. */
  readonly protectedUntil: number;
}

const COMPLETED: ClaimResult = { state: "completed" };
/** How many queue slots one claim may look at to make room: keeps a full store O(1). */
const MAKE_ROOM_STEPS = 16;

/**
 * The default `ReplayStore`: one process, O(1) per operation, bounded. It never
 * forgets a message inside its replay window (it fails closed instead), so no
 * caller, however many valid messages it sends, can push out another's claims
 * and replay them. Completed messages past their window go oldest first when
 * room is needed. For several instances use `@hooksec/redis`.
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
  const entries = new Map<string, Entry>();
  // Arrival order lives in a queue beside the Map: evicting through the Map's
  // own iterator gets slower and slower (V8 walks the deleted slots at its front).
  let queue: Entry[] = [];
  let head = 0;
  // Tokens only need to be unique within this store: a counter is enough.
  let counter = 0;

  // A queued entry is stale once its key was released or claimed again.
  const isCurrent = (entry: Entry): boolean => entries.get(entry.key) === entry;
  const isLive = (entry: Entry, time: number): boolean => entry.expiresAt > time;

  function dropHead(): void {
    head++;
    // Compact now and then so the queue's memory stays proportional to what it holds.
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  function add(key: string, token: string, completed: boolean, expiresAt: number, protectedUntil: number): Entry {
    const entry: Entry = { key, token, completed, expiresAt, protectedUntil };
    entries.set(key, entry);
    queue.push(entry);
    return entry;
  }

  // Lifetimes are alike, so lapsed and expired entries gather at the front:
  // dropping a few per claim keeps memory tight at O(1).
  function sweep(time: number): void {
    for (let i = 0; i < 4 && head < queue.length; i++) {
      const oldest = queue[head] as Entry;
      if (isCurrent(oldest)) {
        if (isLive(oldest, time)) return;
        entries.delete(oldest.key);
      }
      dropHead();
    }
  }

  // Frees one slot: an expired entry, or the oldest completed one past its
  // window. An entry still processing goes to the back of the queue. Never
  // anything inside its window: then there is no room, and the claim fails.
  function makeRoom(time: number): boolean {
    for (let step = 0; step < MAKE_ROOM_STEPS && head < queue.length; step++) {
      const oldest = queue[head] as Entry;
      const current = isCurrent(oldest);
      if (current && oldest.completed && isLive(oldest, time) && oldest.protectedUntil > time) return false;
      dropHead();
      if (!current) continue;
      if (isLive(oldest, time) && !oldest.completed) {
        queue.push(oldest);
        continue;
      }
      entries.delete(oldest.key);
      if (isLive(oldest, time)) onEvict?.(oldest.key);
      return true;
    }
    return false;
  }

  /** The entry of `key` unless it lapsed or expired (then it counts as unknown). */
  function live(key: string, time: number): Entry | undefined {
    const entry = entries.get(key);
    return entry !== undefined && isLive(entry, time) ? entry : undefined;
  }

  return {
    claim(key, terms) {
      const time = now();
      const existing = live(key, time);
      if (existing !== undefined) {
        return existing.completed ? COMPLETED : { state: "in_progress", retryAfterMs: existing.expiresAt - time };
      }
      entries.delete(key);
      sweep(time);
      if (entries.size >= maxEntries && !makeRoom(time)) {
        throw new WebhookError(
          "replay_store_full",
          `the in-memory replay store holds ${entries.size} messages still inside their replay window or being processed: raise maxEntries or use a shared store such as @hooksec/redis`,
        );
      }
      const token = String(++counter);
      add(key, token, false, time + terms.leaseMs, time + terms.windowMs);
      return { state: "acquired", token };
    },
    renew(key, token, leaseMs) {
      const time = now();
      const entry = entries.get(key);
      if (entry?.token === token) {
        if (!entry.completed) entry.expiresAt = time + leaseMs;
        return true;
      }
      if (live(key, time) !== undefined) return false;
      // Lapsed and nobody claimed it since: this receiver is still at work, so it holds it again.
      add(key, token, false, time + leaseMs, time);
      return true;
    },
    complete(key, token, retainMs) {
      const time = now();
      const entry = entries.get(key);
      if (entry?.token === token) {
        entry.completed = true;
        entry.expiresAt = time + retainMs;
        return true;
      }
      if (live(key, time) !== undefined) return false;
      // Lapsed and nobody claimed it since: the work is done, remember it (and never evict it early).
      add(key, token, true, time + retainMs, time + retainMs);
      return true;
    },
    release(key, token) {
      const entry = entries.get(key);
      if (entry?.token === token && !entry.completed) entries.delete(key);
    },
  };
}
