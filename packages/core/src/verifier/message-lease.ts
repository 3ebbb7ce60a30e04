import { WebhookError, isWebhookError } from "../errors/webhook-error.js";
import type { ReplayStore } from "../replay/replay-store.js";

/** What happened to a lease, for `onEvent`. */
export type LeaseOutcome = "completed" | "released" | "lease_lost";

/**
 * The processing lease of one verified message: the fencing token its claim got,
 * and the three things its holder may do with it. Settles once: after `complete`
 * or `release`, further calls do nothing.
 */
export interface MessageLease {
  /** How long the lease lasts from its last renewal, in ms (0 without replay protection). */
  readonly leaseMs: number;
  /** Extends the lease; `false` when it was lost (another delivery claimed or completed the message). */
  renew(): Promise<boolean>;
  /** The handler succeeded: remember the message as processed. `false` when another delivery took it meanwhile. */
  complete(): Promise<boolean>;
  /** The handler failed: give the message back so the sender's retry is processed. */
  release(): Promise<void>;
}

/** For duplicates and for verifiers without replay protection: nothing to hold. */
export const NO_LEASE: MessageLease = {
  leaseMs: 0,
  renew: () => Promise.resolve(true),
  complete: () => Promise.resolve(true),
  release: () => Promise.resolve(),
};

export function storeUnavailable(operation: string, cause: unknown): WebhookError {
  // A store's own refusal (`replay_store_full`) keeps its code.
  if (isWebhookError(cause)) return cause;
  return new WebhookError("replay_store_unavailable", `the replay store could not ${operation} the message`, { cause });
}

/** A lease held in `store` under `key` with `token`. */
export function storeLease(
  store: ReplayStore,
  key: string,
  token: string,
  terms: { readonly leaseMs: number; readonly retainMs: number },
  report: (outcome: LeaseOutcome) => void,
): MessageLease {
  let settled = false;
  async function call<T>(operation: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      throw storeUnavailable(operation, cause);
    }
  }
  return {
    leaseMs: terms.leaseMs,
    async renew() {
      if (settled) return true;
      const held = await call("renew the lease of", () => store.renew(key, token, terms.leaseMs));
      if (!held) report("lease_lost");
      return held;
    },
    async complete() {
      if (settled) return true;
      settled = true;
      const done = await call("complete", () => store.complete(key, token, terms.retainMs));
      report(done ? "completed" : "lease_lost");
      return done;
    },
    async release() {
      if (settled) return;
      settled = true;
      await call("release", () => store.release(key, token));
      report("released");
    },
  };
}
