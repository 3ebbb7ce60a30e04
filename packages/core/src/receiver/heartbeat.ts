import type { VerifiedWebhook } from "../verifier/verified-webhook.js";

/**
 * Renews the webhook's processing lease every third of it while the handler
 * runs, so a slow handler keeps the message and a dead receiver gives it back
 * within one lease. Returns the function that stops it.
 */
export function startHeartbeat(webhook: VerifiedWebhook, leaseMs: number): () => void {
  if (leaseMs <= 0 || webhook.duplicate) return () => {};
  const timer: unknown = setInterval(
    () => {
      // A failed renewal is reported by the lease (`lease_lost`) or retried on the next beat.
      webhook.renewLease().catch(() => undefined);
    },
    Math.max(leaseMs / 3, 100),
  );
  // Never keep a process alive just for this (Node; other runtimes have no unref).
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer as Parameters<typeof clearInterval>[0]);
}
