import {
  base64url,
  CompactSign,
  type CryptoKey,
  decodeProtectedHeader,
  flattenedVerify,
  jwtVerify,
  SignJWT,
} from "jose";
import { WebhookError } from "../../errors/webhook-error.js";
import { createJwksResolver, type JwksInput, type JwksResolver, type RemoteJwksOptions } from "../../keys/jwks.js";
import { decodeUtf8Strict, toBytes } from "../../lib/utf8.js";
import type { IncomingWebhook, OutgoingWebhook, SchemeVerification, SignedHeaders, WebhookScheme } from "../types.js";
import { ASYMMETRIC_JWS_ALGORITHMS, checkAllowlist, checkProtectedHeader, type JwsAlgorithm } from "./header-policy.js";
import { toWebhookError } from "./jose-errors.js";
import { type JoseKeyInput, kidOf, lazyKey } from "./signing-key.js";

export type { JwsAlgorithm } from "./header-policy.js";

/**
 * Options of {@link jws}: verifying keys and the allowed algorithms for a receiver, a private key for a sender, and the claims both check.
 */
export interface JwsOptions {
  /** Verifying keys: a JWKS object, or its URL (cached, refreshed on an unknown `kid`, rate limited). */
  readonly jwks?: JwksInput;
  /** Required with `jwks`: the algorithms accepted (asymmetric only). */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Caching and rate limiting of a remote `jwks`. */
  readonly remote?: RemoteJwksOptions;
  /** Expected `iss`: checked when verifying, written when signing (the first one). */
  readonly issuer?: string | readonly string[];
  /** Expected `aud`: checked when verifying, written when signing (the first one). */
  readonly audience?: string | readonly string[];
  /**
   * Explicit typing (RFC 8725 section 3.11): the sender writes this `typ`, the receiver
   * requires it, so another JWT of the same issuer cannot pass as a webhook. E.g. "webhook+jwt".
   */
  readonly type?: string;
  /** Signing key (sender side). */
  readonly privateKey?: JoseKeyInput;
  /** Signing algorithm; required with `privateKey`. */
  readonly alg?: JwsAlgorithm;
  /** `kid` written in the header; default the JWK's own `kid`. */
  readonly kid?: string;
  /**
   * Keep the body as sent and carry a detached JWS (RFC 7515 appendix F) in a header,
   * `x-jws-signature` by default. `iat` and `jti` are then protected header parameters.
   */
  readonly detached?: boolean | { readonly header?: string };
}

const MAX_ID_LENGTH = 256;
const DEFAULT_DETACHED_HEADER = "x-jws-signature";
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

function idOf(value: unknown, location: "body" | "header"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new WebhookError(
      location === "body" ? "malformed_body" : "malformed_header",
      "jti must be a string of 1-256 characters",
    );
  }
  return value;
}

function timeOf(value: unknown, location: "body" | "header"): Date {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new WebhookError(
      location === "body" ? "malformed_body" : "malformed_header",
      "iat must be a number of seconds",
    );
  }
  return new Date(value * 1000);
}

function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === "string" ? value : value?.[0];
}

function matches(expected: string | readonly string[] | undefined, actual: unknown): boolean {
  if (expected === undefined) return true;
  const accepted = typeof expected === "string" ? [expected] : expected;
  const values = Array.isArray(actual) ? actual : [actual];
  return values.some((value) => typeof value === "string" && accepted.includes(value));
}

/** The JWS payload as claims: a JSON object with the message's `jti` and `iat` set. */
function claimsFor(
  message: OutgoingWebhook,
  issuer: string | undefined,
  audience: string | undefined,
): Record<string, unknown> {
  const text = decodeUtf8Strict(toBytes(message.body));
  let claims: unknown;
  try {
    claims = text === undefined ? undefined : JSON.parse(text);
  } catch {
    claims = undefined;
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw new WebhookError(
      "invalid_options",
      "a JWS body is a JSON object (its claims): use `detached` for other bodies",
    );
  }
  const ms = message.timestamp.getTime();
  if (!Number.isFinite(ms)) throw new WebhookError("invalid_options", "timestamp must be a valid Date");
  return {
    ...claims,
    jti: idOf(message.id, "body"),
    iat: Math.floor(ms / 1000),
    ...(issuer === undefined ? {} : { iss: issuer }),
    ...(audience === undefined ? {} : { aud: audience }),
  };
}

/**
 * JWS webhooks. By default the body is a compact JWS whose payload is the JSON
 * claims (`jti` is the message id, `iat` the signed time, optional `iss`/`aud`).
 * With `detached`, the body is sent unchanged and the JWS travels in a header.
 * Keys never come from the message (`jwk`, `jku`, `x5u`, `x5c` are refused), `alg`
 * must be in the allowlist (`none` and HMAC are always refused), `crit` is refused.
 *
 * `encode()` returns the new body; `sign()` only works in the detached form (a compact
 * JWS replaces the body, so there are no headers to add): it throws `invalid_options` otherwise.
 *
 * @example
 * const receiver = jws({ jwks: "https://sender.example/.well-known/jwks.json", algorithms: ["ES256"] });
 * const sender = jws({ privateKey, alg: "ES256", kid: "2026-01" });
 * const { headers, body } = await sender.encode({ id: "msg_1", timestamp: new Date(), body: '{"type":"ping"}' });
 */
export function jws(options: JwsOptions): WebhookScheme {
  if (typeof options !== "object" || options === null) throw new WebhookError("invalid_options", "jws needs options");
  const detachedHeader =
    options.detached === undefined || options.detached === false
      ? undefined
      : (
          (typeof options.detached === "object" ? options.detached.header : undefined) ?? DEFAULT_DETACHED_HEADER
        ).toLowerCase();
  if (detachedHeader !== undefined && !HEADER_NAME.test(detachedHeader)) {
    throw new WebhookError("invalid_options", "detached.header is not a header name");
  }
  if (options.jwks === undefined && options.privateKey === undefined) {
    throw new WebhookError("invalid_options", "jws needs `jwks` (to verify) or `privateKey` (to sign)");
  }
  let resolver: JwksResolver | undefined;
  let algorithms: Set<JwsAlgorithm> | undefined;
  let allowed: JwsAlgorithm[] = [];
  if (options.jwks !== undefined) {
    algorithms = checkAllowlist(options.algorithms, ASYMMETRIC_JWS_ALGORITHMS, "jws");
    allowed = [...algorithms];
    resolver = createJwksResolver(options.jwks, options.remote);
  }
  let signingKey: (() => Promise<CryptoKey>) | undefined;
  const { alg } = options;
  if (options.privateKey !== undefined) {
    if (alg === undefined || !ASYMMETRIC_JWS_ALGORITHMS.includes(alg)) {
      throw new WebhookError("invalid_options", "jws signing needs `alg`, an asymmetric JWS algorithm");
    }
    signingKey = lazyKey(options.privateKey, alg, "JWS private key");
  }
  const kid = options.kid ?? kidOf(options.privateKey);
  const issuer = first(options.issuer);
  const audience = first(options.audience);

  async function verify(incoming: IncomingWebhook): Promise<SchemeVerification> {
    if (resolver === undefined || algorithms === undefined) {
      throw new WebhookError("invalid_options", "this jws scheme has no `jwks` to verify with");
    }
    if (detachedHeader === undefined) {
      const token = decodeUtf8Strict(incoming.body);
      if (token === undefined || token.split(".").length !== 3)
        throw new WebhookError("malformed_body", "the body is not a compact JWS");
      let header: Record<string, unknown>;
      try {
        header = decodeProtectedHeader(token) as Record<string, unknown>;
      } catch (error) {
        throw toWebhookError(error, "body");
      }
      checkProtectedHeader(header, algorithms, "body");
      try {
        const { payload, protectedHeader } = await jwtVerify(token, resolver, {
          algorithms: allowed,
          // exp and nbf are judged by the verifier's clock, like the freshness window.
          currentDate: new Date(incoming.now ?? Date.now()),
          ...(options.issuer === undefined ? {} : { issuer: options.issuer as string | string[] }),
          ...(options.audience === undefined ? {} : { audience: options.audience as string | string[] }),
          ...(options.type === undefined ? {} : { typ: options.type }),
        });
        return {
          id: idOf(payload.jti, "body"),
          timestamp: timeOf(payload.iat, "body"),
          keyId: protectedHeader.kid,
          payload: base64url.decode(token.split(".")[1] as string),
        };
      } catch (error) {
        throw toWebhookError(error, "body");
      }
    }
    const value = incoming.header(detachedHeader);
    if (value === undefined || value === "") throw new WebhookError("missing_header", `missing ${detachedHeader}`);
    const parts = value.split(".");
    if (parts.length !== 3 || parts[1] !== "")
      throw new WebhookError("malformed_header", `${detachedHeader} is not a detached JWS`);
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(value) as Record<string, unknown>;
    } catch (error) {
      throw toWebhookError(error, "header");
    }
    checkProtectedHeader(header, algorithms, "header");
    try {
      await flattenedVerify(
        { protected: parts[0] as string, payload: base64url.encode(incoming.body), signature: parts[2] as string },
        resolver,
        { algorithms: allowed },
      );
    } catch (error) {
      throw toWebhookError(error, "header");
    }
    // Claims replicated as protected header parameters (RFC 7519 section 5.3), checked after the signature.
    if (!matches(options.issuer, header.iss)) throw new WebhookError("claim_mismatch", "iss does not match");
    if (!matches(options.audience, header.aud)) throw new WebhookError("claim_mismatch", "aud does not match");
    if (options.type !== undefined && header.typ !== options.type)
      throw new WebhookError("claim_mismatch", "typ does not match");
    return {
      id: idOf(header.jti, "header"),
      timestamp: timeOf(header.iat, "header"),
      keyId: typeof header.kid === "string" ? header.kid : undefined,
    };
  }

  async function detachedSignature(message: OutgoingWebhook): Promise<string> {
    if (signingKey === undefined || alg === undefined)
      throw new WebhookError("invalid_options", "jws signing needs `privateKey` and `alg`");
    const ms = message.timestamp.getTime();
    if (!Number.isFinite(ms)) throw new WebhookError("invalid_options", "timestamp must be a valid Date");
    const token = await new CompactSign(toBytes(message.body))
      .setProtectedHeader({
        alg,
        ...(kid === undefined ? {} : { kid }),
        ...(options.type === undefined ? {} : { typ: options.type }),
        iat: Math.floor(ms / 1000),
        jti: idOf(message.id, "body"),
        ...(issuer === undefined ? {} : { iss: issuer }),
        ...(audience === undefined ? {} : { aud: audience }),
      })
      .sign(await signingKey());
    const [protectedHeader, , signature] = token.split(".");
    return `${protectedHeader}..${signature}`;
  }

  async function sign(message: OutgoingWebhook): Promise<SignedHeaders> {
    if (detachedHeader === undefined) {
      throw new WebhookError(
        "invalid_options",
        "a compact JWS replaces the body: use encode(), or `detached: true` for a header",
      );
    }
    return { [detachedHeader]: await detachedSignature(message) };
  }

  return {
    name: "jws",
    timestamped: true,
    verify,
    sign,
    async encode(message) {
      if (detachedHeader !== undefined) return { headers: await sign(message), body: message.body };
      if (signingKey === undefined || alg === undefined)
        throw new WebhookError("invalid_options", "jws signing needs `privateKey` and `alg`");
      const token = await new SignJWT(claimsFor(message, issuer, audience))
        .setProtectedHeader({ alg, typ: options.type ?? "JWT", ...(kid === undefined ? {} : { kid }) })
        .sign(await signingKey());
      return { headers: { "content-type": "application/jwt" }, body: token };
    },
  };
}
