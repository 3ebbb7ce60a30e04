import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JSONWebKeySet, type JWSHeaderParameters } from "jose";
import { WebhookError, isWebhookError } from "../errors/webhook-error.js";

/** A JWKS key resolver as `jose` calls it. */
export type JwksResolver = ReturnType<typeof createLocalJWKSet>;

/** How a remote JWKS is fetched and cached. */
export interface RemoteJwksOptions {
  /** Minimum time between two fetches, also after an unknown `kid` (rate limit). Default 30 s. */
  readonly cooldownSeconds?: number;
  /** How long a fetched set is used before it is fetched again. Default 600 s. */
  readonly cacheMaxAgeSeconds?: number;
  /** Abort a fetch after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** The fetch to use (tests, proxies). Default: the global `fetch`. */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** Keys to verify with: a JWKS object, or the URL of one (`https:`, or `http:` on loopback for tests). */
export type JwksInput = JSONWebKeySet | URL | string;

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

function remoteUrl(input: URL | string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new WebhookError("invalid_options", "jwks is not a URL or a key set", { cause });
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOST.test(url.hostname))) {
    throw new WebhookError("invalid_options", "a remote JWKS must be fetched over https");
  }
  return url;
}

function seconds(value: number | undefined, fallback: number, name: string): number {
  const result = value ?? fallback;
  if (typeof result !== "number" || !Number.isFinite(result) || result < 0) {
    throw new WebhookError("invalid_options", `${name} must be a non-negative number`);
  }
  return result;
}

/**
 * Builds the resolver `jose` asks for a key. A remote set is cached, refetched
 * on an unknown `kid` at most once per cooldown, and after a failed fetch no
 * fetch is tried again for a cooldown either (fail closed, without hammering
 * the key server on every request).
 */
export function createJwksResolver(input: JwksInput, remote: RemoteJwksOptions = {}): JwksResolver {
  if (typeof input === "object" && !(input instanceof URL)) {
    try {
      return createLocalJWKSet(input);
    } catch (cause) {
      throw new WebhookError("invalid_options", "jwks is not a valid JSON Web Key Set", { cause });
    }
  }
  const url = remoteUrl(input);
  const cooldownMs = 1000 * seconds(remote.cooldownSeconds, 30, "cooldownSeconds");
  const cacheMaxAgeMs = 1000 * seconds(remote.cacheMaxAgeSeconds, 600, "cacheMaxAgeSeconds");
  const timeoutMs = Math.round(seconds(remote.timeoutMs, 5000, "timeoutMs"));
  const fetchImplementation = remote.fetch ?? ((target: string, init: RequestInit) => fetch(target, init));
  let failedAt: number | undefined;
  const guardedFetch = async (target: string, init: RequestInit): Promise<Response> => {
    if (failedAt !== undefined && Date.now() - failedAt < cooldownMs) {
      throw new WebhookError("key_set_unavailable", "the JWKS fetch failed recently; cooling down");
    }
    try {
      const response = await fetchImplementation(target, init);
      failedAt = response.status === 200 ? undefined : Date.now();
      return response;
    } catch (cause) {
      failedAt = Date.now();
      throw cause;
    }
  };
  const set = createRemoteJWKSet(url, {
    cooldownDuration: cooldownMs,
    cacheMaxAge: cacheMaxAgeMs,
    timeoutDuration: timeoutMs,
    [customFetch]: guardedFetch,
  });
  const resolver = async (header: JWSHeaderParameters, token: Parameters<JwksResolver>[1]) => {
    try {
      return await set(header, token);
    } catch (error) {
      if (isWebhookError(error)) throw error;
      const code = (error as { code?: unknown }).code;
      if (
        code === "ERR_JWKS_NO_MATCHING_KEY" ||
        code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS" ||
        code === "ERR_JOSE_NOT_SUPPORTED"
      ) {
        throw error;
      }
      // timeouts, non-200 answers, bad JSON, network errors: the key set cannot be read
      throw new WebhookError("key_set_unavailable", "the remote JWKS could not be fetched", { cause: error });
    }
  };
  return Object.assign(resolver, { jwks: () => set.jwks() }) as JwksResolver;
}
