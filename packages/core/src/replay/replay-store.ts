import type { Awaitable } from "../lib/awaitable.js";

/**
 * What a claim found. `acquired`: this delivery holds the processing lease and
 * runs the handler; `in_progress`: another delivery holds a live lease (answer
 * 409 with `Retry-After`); `completed`: the message was processed (acknowledge,
 * do not run the handler again).
 */
export type ClaimResult =
  | { readonly state: "acquired"; readonly token: string }
  | { readonly state: "in_progress"; readonly retryAfterMs: number }
  | { readonly state: "completed" };

/** How long a new claim holds, in milliseconds. */
export interface ClaimTerms {
  /** The processing lease: a receiver that dies gives the message back after it. Renewed by the heartbeat. */
  readonly leaseMs: number;
  /**
   * The replay window: while it lasts, a captured delivery of this message is
   * still fresh, so a completed entry must never be forgotten before it ends
   * (a store that cannot keep it fails closed instead).
   */
  readonly windowMs: number;
}

/**
 * The processing state of every message id, shared by all instances of a receiver:
 *
 * | state                 | `claim` returns | then                          |
 * | --------------------- | --------------- | ----------------------------- |
 * | unknown / released    | `acquired`      | the handler runs              |
 * | processing, lease on  | `in_progress`   | 409, the sender retries later |
 * | processing, lapsed    | `acquired`      | the receiver died: runs again |
 * | completed             | `completed`     | 200 duplicate, no handler     |
 *
 * Every operation is atomic. The token of an `acquired` claim fences the others:
 * `renew`, `complete` and `release` act only while the entry is still that claim's
 * (or, for `renew` and `complete`, while nobody else has claimed it since it lapsed),
 * so a late call from a receiver whose lease lapsed never overwrites a newer claim.
 * A store throws when it cannot decide; the receiver then fails closed (503).
 *
 * @example
 * const claimed = await store.claim("orders:msg_1", { leaseMs: 30_000, windowMs: 360_000 });
 * if (claimed.state === "acquired") {
 *   try { await handle(); await store.complete("orders:msg_1", claimed.token, 259_200_000); }
 *   catch { await store.release("orders:msg_1", claimed.token); }
 * }
 */
export interface ReplayStore {
  /** Takes the processing lease of `key` when nobody holds it and it was not completed. */
  claim(key: string, terms: ClaimTerms): Awaitable<ClaimResult>;
  /** Extends this claim's lease by `leaseMs` from now. `false`: the claim was lost (another delivery holds or completed it). */
  renew(key: string, token: string, leaseMs: number): Awaitable<boolean>;
  /** Marks the message processed for `retainMs`. `false`: another delivery holds or completed it meanwhile. */
  complete(key: string, token: string, retainMs: number): Awaitable<boolean>;
  /** Gives the lease back at once (the handler failed), so the sender's next retry is processed. */
  release(key: string, token: string): Awaitable<void>;
}
