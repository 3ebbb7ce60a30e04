/**
 * A small least-recently-used map for memoising pure parses (certificates, DNs,
 * addresses): a producer sends the same certificate and addresses on every
 * request, so each is parsed once. Bounded, so hostile input only evicts.
 * Only successes are cached: a refusal is computed again (and is a fresh error).
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #maxEntries: number;
  readonly #maxKeyLength: number;

  constructor(maxEntries: number, maxKeyLength = 16 * 1024) {
    this.#maxEntries = maxEntries;
    this.#maxKeyLength = maxKeyLength;
  }

  get(key: string): V | undefined {
    const found = this.#entries.get(key);
    if (found !== undefined) {
      // Re-insert: Map keeps insertion order, so the first key is the least recently used.
      this.#entries.delete(key);
      this.#entries.set(key, found);
    }
    return found;
  }

  set(key: string, value: V): void {
    if (key.length > this.#maxKeyLength) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, value);
  }

  /** The cached value, else `compute()`, cached if it returns. */
  getOrCompute(key: string, compute: () => V): V {
    const found = this.get(key);
    if (found !== undefined) return found;
    const value = compute();
    this.set(key, value);
    return value;
  }
}
