import { cryptoBackend, type HmacKey } from "#crypto";
import { isWebhookError } from "../errors/webhook-error.js";
import { withTimeout } from "./attempt-timeout.js";
import { encodeBase64 } from "../lib/base64.js";
import { encodeHex } from "../lib/hex.js";
import { decodeUtf8, utf8 } from "../lib/utf8.js";
import type { AddressGuard } from "./ssrf/address-guard.js";
import { parseEndpointUrl } from "./ssrf/endpoint-url.js";
import type { ClientTls, OutboundAuth, Transport } from "./types.js";

export type OAuth2ClientCredentials = Extract<OutboundAuth, { type: "oauth2" }>;

/** The token endpoint did not give a usable token; retried like a network error. */
export class TokenRequestError extends Error {
  override readonly name = "TokenRequestError";
  /** The token endpoint's HTTP status, when it answered. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
  }
}

interface CachedToken {
  readonly token: string;
  /** When to stop using it: shortly before the server's expiry. */
  readonly refreshAt: number;
}

export interface TokenCache {
  /** A valid token, from the cache or from one request shared by every concurrent caller. */
  get(auth: OAuth2ClientCredentials): Promise<string>;
  /** Drops `token` after a 401, unless another caller already replaced it; only `auth`'s own entry. */
  invalidate(auth: OAuth2ClientCredentials, token: string): Promise<void>;
}

const DEFAULT_LIFETIME_SECONDS = 300;
const MAX_REFRESH_MARGIN_MS = 30_000;
const MAX_CACHED_TOKENS = 1024;

/**
 * OAuth 2.0 client credentials tokens, cached until shortly before they expire, with one
 * request in flight per key. A token is only ever handed to exactly the credentials that
 * obtained it: the key covers the token URL, client id, client secret, scope, audience,
 * client authentication method and the token endpoint's TLS settings (client certificate
 * and CA), so a tenant who names another's token URL and client id gets no cached token
 * and cannot evict one.
 */
export function createTokenCache(context: {
  readonly transport: Transport;
  readonly guard: AddressGuard;
  readonly now: () => number;
  readonly timeoutMs: number;
}): TokenCache {
  const cached = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();
  const keyOf = credentialFingerprint();

  async function request(auth: OAuth2ClientCredentials, key: string): Promise<string> {
    const url = parseEndpointUrl(auth.tokenUrl, context.guard);
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (auth.scope !== undefined) form.set("scope", auth.scope);
    if (auth.audience !== undefined) form.set("audience", auth.audience);
    const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" });
    if (auth.clientAuthentication === "post") {
      form.set("client_id", auth.clientId);
      form.set("client_secret", auth.clientSecret);
    } else {
      // RFC 6749 §2.3.1: both parts form-encoded before Basic encoding.
      const pair = `${formEncode(auth.clientId)}:${formEncode(auth.clientSecret)}`;
      headers.set("authorization", `Basic ${encodeBase64(utf8(pair))}`);
    }
    const requestedAt = context.now();
    let response: Awaited<ReturnType<Transport["send"]>>;
    try {
      response = await withTimeout(context.timeoutMs, (signal) =>
        context.transport.send({ url, method: "POST", headers, body: form.toString(), signal, tls: auth.tls }),
      );
    } catch (cause) {
      if (isWebhookError(cause)) throw cause;
      throw new TokenRequestError("the token endpoint could not be reached", undefined, { cause });
    }
    if (response.status !== 200)
      throw new TokenRequestError(`the token endpoint answered ${response.status}`, response.status);
    const parsed = parseTokenResponse(decodeUtf8(response.body));
    const lifetimeMs = parsed.expiresInSeconds * 1000;
    const margin = Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 2);
    if (cached.size >= MAX_CACHED_TOKENS) cached.delete(cached.keys().next().value as string);
    cached.set(key, { token: parsed.token, refreshAt: requestedAt + lifetimeMs - margin });
    return parsed.token;
  }

  return {
    async get(auth) {
      const key = await keyOf(auth);
      const hit = cached.get(key);
      if (hit !== undefined && context.now() < hit.refreshAt) return hit.token;
      let pending = inFlight.get(key);
      if (pending === undefined) {
        pending = request(auth, key).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    async invalidate(auth, token) {
      const key = await keyOf(auth);
      if (cached.get(key)?.token === token) cached.delete(key);
    },
  };
}

/**
 * The cache key of one set of credentials: an HMAC under a key made for this cache, so the
 * secret (and the TLS private key) is never kept in a map key, nor as a plain hash that a
 * memory dump could test guesses against.
 */
function credentialFingerprint(): (auth: OAuth2ClientCredentials) => Promise<string> {
  let fingerprintKey: Promise<HmacKey> | undefined;
  return async (auth) => {
    fingerprintKey ??= cryptoBackend.importHmacKey(cryptoBackend.randomBytes(32), "SHA-256");
    const tuple = JSON.stringify([
      auth.tokenUrl,
      auth.clientId,
      auth.clientSecret,
      auth.scope ?? null,
      auth.audience ?? null,
      auth.clientAuthentication ?? "basic",
      tlsIdentity(auth.tls),
    ]);
    return encodeHex(await cryptoBackend.hmac(await fingerprintKey, [tuple]));
  };
}

/** Every TLS setting that changes who the token endpoint is, or who we are to it. */
function tlsIdentity(tls: ClientTls | undefined): unknown {
  if (tls === undefined) return null;
  const ca = tls.ca === undefined ? null : typeof tls.ca === "string" ? [tls.ca] : [...tls.ca];
  return [tls.cert ?? null, tls.key ?? null, tls.passphrase ?? null, ca];
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function parseTokenResponse(text: string): { token: string; expiresInSeconds: number } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TokenRequestError("the token response is not JSON", 200, { cause });
  }
  if (typeof json !== "object" || json === null)
    throw new TokenRequestError("the token response is not an object", 200);
  const { access_token: token, token_type: type, expires_in: expiresIn } = json as Record<string, unknown>;
  if (typeof token !== "string" || token === "" || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TokenRequestError("the token response has no usable access_token", 200);
  }
  if (type !== undefined && (typeof type !== "string" || type.toLowerCase() !== "bearer")) {
    throw new TokenRequestError("the token is not a Bearer token", 200);
  }
  const seconds = typeof expiresIn === "string" && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  const expiresInSeconds =
    typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_LIFETIME_SECONDS;
  return { token, expiresInSeconds };
}
