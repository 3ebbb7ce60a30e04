/** A value or a promise of it: lets sync implementations skip a promise on hot paths. */
export type Awaitable<T> = T | Promise<T>;

/**
 * True for a promise (or thenable). Hot paths test this instead of awaiting
 * every value: an `await` on a plain value still costs a turn of the microtask queue.
 */
export function isPromiseLike<T>(value: Awaitable<T> | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}
