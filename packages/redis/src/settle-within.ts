/** How a Redis command ended, as far as the caller waited. */
export type Outcome =
  | { readonly type: "reply"; readonly value: unknown }
  | { readonly type: "failed"; readonly error: unknown }
  | { readonly type: "timeout" };

/**
 * Waits at most `ms` for a command's reply. A hung Redis (or a client queueing
 * commands while it reconnects) must not hold a request open: past the bound the
 * caller fails closed, and the command itself is left to settle in the background.
 */
export function settleWithin(pending: Promise<unknown>, ms: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ type: "timeout" }), ms);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve({ type: "reply", value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ type: "failed", error });
      },
    );
  });
}
