/**
 * A `Map` that forgets its least recently written entry beyond `max`, so a gauge
 * keyed by tenant or endpoint, or a table of open spans, cannot grow without bound.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #max: number;
  readonly #onDrop: ((key: K, value: V) => void) | undefined;

  constructor(max: number, onDrop?: (key: K, value: V) => void) {
    this.#max = max;
    this.#onDrop = onDrop;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size <= this.#max) return;
    const oldest = this.#entries.keys().next();
    if (oldest.done) return;
    const dropped = this.#entries.get(oldest.value) as V;
    this.#entries.delete(oldest.value);
    this.#onDrop?.(oldest.value, dropped);
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  values(): IterableIterator<V> {
    return this.#entries.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }
}
