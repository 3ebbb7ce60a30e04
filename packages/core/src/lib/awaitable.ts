/** A value or a promise of it: lets sync implementations skip a promise on hot paths. */
export type Awaitable<T> = T | Promise<T>;
