import type { Awaitable } from "../lib/awaitable.js";

/**
 * Remembers which messages were already accepted, so a replayed or re-delivered
 * message is recognised. Implementations must make `claim` atomic: of any number
 * of concurrent claims of one key, exactly one succeeds.
 *
 * @example
 * const token = await store.claim("standard-webhooks::msg_1", 600_000);
 * if (token === null) { /* duplicate *\/ } else if (handlerFailed) await store.release("standard-webhooks::msg_1", token);
 */
export interface ReplayStore {
  /**
   * Claims `key` for `ttlMs`. Returns a token proving this claim, or `null`
   * when the key is already claimed (a duplicate). Throws when the store cannot
   * decide; the verifier then fails closed.
   */
  claim(key: string, ttlMs: number): Awaitable<string | null>;
  /** Gives a claim back (its handler failed) so the sender's retry is processed. Only the claimant's token releases it. */
  release(key: string, token: string): Awaitable<void>;
}
