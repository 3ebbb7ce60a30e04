import { WebhookError } from "../../errors/webhook-error.js";
import type { JoseLocation } from "./jose-errors.js";

/**
 * The JWS algorithms a webhook verifier may allow: asymmetric only, so a public key can
 * never act as an HMAC secret. Spelled out (not derived from the runtime list) so editors
 * and the API docs show the accepted values.
 */
export type JwsAlgorithm =
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA"
  | "Ed25519";

/** Keyed by the type, so the compiler refuses a list that misses or adds an algorithm. */
const JWS_ALGORITHM_SET: { readonly [algorithm in JwsAlgorithm]: true } = {
  RS256: true,
  RS384: true,
  RS512: true,
  PS256: true,
  PS384: true,
  PS512: true,
  ES256: true,
  ES384: true,
  ES512: true,
  EdDSA: true,
  Ed25519: true,
};

/** The runtime allowlist of {@link JwsAlgorithm}. */
export const ASYMMETRIC_JWS_ALGORITHMS = Object.keys(JWS_ALGORITHM_SET) as readonly JwsAlgorithm[];

/** Header parameters that carry or point to a key: the sender would choose its own verification key. */
const EMBEDDED_KEY_PARAMETERS = ["jwk", "jku", "x5u", "x5c"] as const;

/** Validates an algorithm allowlist from the options: required, non-empty, nothing symmetric or `none`. */
export function checkAllowlist<T extends string>(
  algorithms: readonly T[] | undefined,
  allowed: readonly T[],
  what: string,
): Set<T> {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new WebhookError("invalid_options", `${what} needs a non-empty \`algorithms\` allowlist`);
  }
  for (const alg of algorithms) {
    if (!allowed.includes(alg))
      throw new WebhookError("invalid_options", `${what} does not allow the algorithm ${String(alg)}`);
  }
  return new Set(algorithms);
}

/**
 * Checks a JOSE protected header before any key is looked up or any crypto runs:
 * `alg` from the allowlist (never `none`, never HMAC against public keys), no key
 * carried by the message, no critical extension we do not implement.
 */
export function checkProtectedHeader(
  header: Readonly<Record<string, unknown>>,
  algorithms: ReadonlySet<string>,
  location: JoseLocation,
): string {
  const { alg, crit, kid } = header;
  if (typeof alg !== "string" || alg === "") {
    throw new WebhookError(location === "body" ? "malformed_body" : "malformed_header", "the JOSE header has no alg");
  }
  if (alg.toLowerCase() === "none") throw new WebhookError("algorithm_not_allowed", "alg none is never accepted");
  if (alg.startsWith("HS"))
    throw new WebhookError("algorithm_not_allowed", `${alg} (HMAC) is refused: keys here are asymmetric`);
  if (!algorithms.has(alg)) throw new WebhookError("algorithm_not_allowed", `${alg} is not in the allowlist`);
  for (const parameter of EMBEDDED_KEY_PARAMETERS) {
    if (parameter in header) throw new WebhookError("untrusted_key", `the message carries its own key (${parameter})`);
  }
  if (crit !== undefined)
    throw new WebhookError("unsupported_critical_header", "the JOSE header names critical extensions");
  if (kid !== undefined && (typeof kid !== "string" || kid === "")) {
    throw new WebhookError(
      location === "body" ? "malformed_body" : "malformed_header",
      "kid must be a non-empty string",
    );
  }
  return alg;
}
