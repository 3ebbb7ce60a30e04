import { WebhookError, isWebhookError } from "../../errors/webhook-error.js";

/**
 * How keys fetched by the id a message names (Plaid's `kid`, PayPal's certificate URL) are
 * kept and rate limited. The id is chosen by whoever sends the request, so a forged request
 * may name any id: each request fetches at most once, ids that answered nothing are not asked
 * again for `retrySeconds`, and ids never seen working share a budget of fetches per minute.
 */
export interface KeyCacheOptions {
  /** Working keys kept at once (least recently used evicted). Default 16. */
  readonly maxEntries?: number;
  /** How long a fetched key is used before it is fetched again (expiry and revocation show up then). Default 3600. */
  readonly maxAgeSeconds?: number;
  /** How long an id that named no key, or whose fetch failed, is refused without fetching. Default 60. */
  readonly retrySeconds?: number;
  /** Fetches of ids not known to work, per minute across all requests; beyond it, 503 without fetching. Default 10. */
  readonly maxFetchesPerMinute?: number;
  /** A fetch that takes longer is abandoned (its signal aborts) and answers 503. Default 5000. */
  readonly timeoutMs?: number;
}

/** A key a loader found, usable until `notAfter` (ms since the epoch) if it says so. */
interface LoadedKey<K> {
  readonly key: K;
  readonly notAfter?: number;
}

/** Finds the key an id names: `undefined` when the provider says there is none; throws when it cannot tell. */
export type KeyLoader<K> = (id: string, signal: AbortSignal) => Promise<LoadedKey<K> | undefined>;

export interface KeyCache<K> {
  /** The key, `undefined` when there is none; throws `key_set_unavailable` (or the loader's setup error). */
  get(id: string): Promise<K | undefined>;
}

interface Refusal {
  readonly until: number;
  readonly error: WebhookError | undefined;
}

/** Refused ids remembered at once: enough to absorb a flood of made-up ids without growing. */
const MAX_REFUSED = 1024;
const MINUTE_MS = 60_000;

function positive(value: number | undefined, fallback: number, name: string): number {
  const result = value ?? fallback;
  if (typeof result !== "number" || !Number.isFinite(result) || result <= 0) {
    throw new WebhookError("invalid_options", `${name} must be a positive number`);
  }
  return result;
}

function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

function again(error: WebhookError): WebhookError {
  return new WebhookError(error.code, error.detail, { cause: error.cause });
}

/** A bounded, rate-limited cache in front of a key loader, shared by Plaid's JWKs and PayPal's certificates. */
export function createKeyCache<K>(what: string, load: KeyLoader<K>, options: KeyCacheOptions = {}): KeyCache<K> {
  if (typeof options !== "object" || options === null)
    throw new WebhookError("invalid_options", `${what} cache options must be an object`);
  const maxEntries = Math.floor(positive(options.maxEntries, 16, "maxEntries"));
  const maxAgeMs = 1000 * positive(options.maxAgeSeconds, 3600, "maxAgeSeconds");
  const retryMs = 1000 * positive(options.retrySeconds, 60, "retrySeconds");
  const budget = Math.floor(positive(options.maxFetchesPerMinute, 10, "maxFetchesPerMinute"));
  const timeoutMs = positive(options.timeoutMs, 5000, "timeoutMs");
  // Working keys and refusals live apart: made-up ids can only evict other refusals.
  const known = new Map<string, { readonly key: K; readonly until: number }>();
  const refused = new Map<string, Refusal>();
  const pending = new Map<string, Promise<K | undefined>>();
  const fetchedAt: number[] = [];

  function spendBudget(now: number): void {
    while (fetchedAt.length > 0 && (fetchedAt[0] as number) <= now - MINUTE_MS) fetchedAt.shift();
    if (fetchedAt.length >= budget)
      throw new WebhookError("key_set_unavailable", `more than ${budget} ${what} fetches of unknown ids in a minute`);
    fetchedAt.push(now);
  }

  async function fetchKey(id: string): Promise<K | undefined> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new WebhookError("key_set_unavailable", `the ${what} fetch took over ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const loaded = await Promise.race([load(id, controller.signal), timedOut]);
      const now = Date.now();
      const until = Math.min(now + maxAgeMs, loaded?.notAfter ?? Number.POSITIVE_INFINITY);
      if (loaded === undefined || until <= now) {
        known.delete(id);
        remember(refused, id, { until: now + retryMs, error: undefined }, MAX_REFUSED);
        return undefined;
      }
      refused.delete(id);
      remember(known, id, { key: loaded.key, until }, maxEntries);
      return loaded.key;
    } catch (cause) {
      const error = isWebhookError(cause)
        ? cause
        : new WebhookError("key_set_unavailable", `the ${what} could not be fetched`, { cause });
      known.delete(id);
      remember(refused, id, { until: Date.now() + retryMs, error }, MAX_REFUSED);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get(id) {
      const now = Date.now();
      const hit = known.get(id);
      if (hit !== undefined && hit.until > now) {
        remember(known, id, hit, maxEntries);
        return Promise.resolve(hit.key);
      }
      const refusal = refused.get(id);
      if (refusal !== undefined && refusal.until > now) {
        return refusal.error === undefined ? Promise.resolve(undefined) : Promise.reject(again(refusal.error));
      }
      const inFlight = pending.get(id);
      if (inFlight !== undefined) return inFlight;
      try {
        // A key that worked before is refreshed outside the budget: there are at most maxEntries of them.
        if (hit === undefined) spendBudget(now);
      } catch (error) {
        return Promise.reject(error);
      }
      const fetching = fetchKey(id).finally(() => pending.delete(id));
      pending.set(id, fetching);
      return fetching;
    },
  };
}
