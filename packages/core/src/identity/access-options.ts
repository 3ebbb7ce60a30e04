import { WebhookError } from "../errors/webhook-error.js";
import type { VerifierOptions } from "../verifier/types.js";
import type { IdentityOptions } from "./identity-options.js";
import type { RateLimitOptions } from "./rate-limit.js";

// The access options' checks that need no parser: run when the verifier is built, before
// the access step itself (certificates, CIDRs, tenant rules) is loaded on demand. Kept
// apart so a verifier without access options never bundles that code.

/** Whether any access option is set, so the access step must run. */
export function hasAccessOptions(options: VerifierOptions): boolean {
  const { identity, allowlist, trustedProxies, rateLimit } = options;
  return identity !== undefined || allowlist !== undefined || trustedProxies !== undefined || rateLimit !== undefined;
}

/** What one rate-limit budget belongs to; `invalid_options` when that cannot work. */
export function rateLimitKey(options: VerifierOptions): "ip" | "tenant" {
  const { identity, rateLimit } = options;
  const limitBy = rateLimit?.by ?? (identity === undefined ? "ip" : "tenant");
  if (limitBy !== "ip" && limitBy !== "tenant")
    throw new WebhookError("invalid_options", 'rateLimit.by must be "tenant" or "ip"');
  if (rateLimit !== undefined && limitBy === "tenant" && identity === undefined) {
    throw new WebhookError("invalid_options", 'rateLimit.by "tenant" needs the identity option');
  }
  return limitBy;
}

const DEFAULT_IPV6_PREFIX = 64;

/** The in-memory limiter's budget and the IPv6 network size, checked. */
export function rateLimitSettings(options: RateLimitOptions): {
  points: number;
  duration: number;
  blockDuration: number;
  ipv6Prefix: number;
} {
  if (options.limiter !== undefined && typeof options.limiter?.consume !== "function") {
    throw new WebhookError("invalid_options", "rateLimit.limiter needs consume(key)");
  }
  const ipv6Prefix = options.ipv6Prefix ?? DEFAULT_IPV6_PREFIX;
  if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < 1 || ipv6Prefix > 128) {
    throw new WebhookError("invalid_options", "rateLimit.ipv6Prefix must be an integer from 1 to 128");
  }
  return {
    points: positiveInteger(options.points ?? 100, "rateLimit.points"),
    duration: positiveInteger(options.durationSeconds ?? 60, "rateLimit.durationSeconds"),
    blockDuration:
      options.blockDurationSeconds === undefined
        ? 0
        : positiveInteger(options.blockDurationSeconds, "rateLimit.blockDurationSeconds"),
    ipv6Prefix,
  };
}

/** The proxy header names (lowercase), after checking the identity options' shape. */
export function identityHeaderNames(identity: IdentityOptions): {
  verify: string;
  subject: string;
  certificate: string;
} {
  if (typeof identity !== "object" || identity === null || identity.tenants === undefined) {
    throw new WebhookError("invalid_options", "identity needs tenants: rules, a directory or a resolver");
  }
  const { tenants } = identity;
  if (!Array.isArray(tenants) && typeof tenants !== "function" && (typeof tenants !== "object" || tenants === null)) {
    throw new WebhookError("invalid_options", "identity.tenants must be rules, a directory or a resolver function");
  }
  return {
    verify: headerName(identity.proxyHeaders?.verify, "x-client-verify"),
    subject: headerName(identity.proxyHeaders?.subject, "x-client-subject"),
    certificate: headerName(identity.proxyHeaders?.certificate, "x-client-cert"),
  };
}

/** Every check above, for `createVerifier`. */
export function checkAccessOptions(options: VerifierOptions): void {
  rateLimitKey(options);
  if (options.rateLimit !== undefined) rateLimitSettings(options.rateLimit);
  if (options.identity !== undefined) identityHeaderNames(options.identity);
  for (const name of ["allowlist", "trustedProxies"] as const) {
    const cidrs = options[name];
    if (cidrs !== undefined && (!Array.isArray(cidrs) || cidrs.some((cidr) => typeof cidr !== "string"))) {
      throw new WebhookError("invalid_options", `${name} must be an array of CIDRs`);
    }
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new WebhookError("invalid_options", `${name} must be a positive integer`);
  return value;
}

function headerName(name: string | undefined, fallback: string): string {
  if (name === undefined) return fallback;
  if (typeof name !== "string" || !/^[!#$%&'*+.^_`|~0-9a-zA-Z-]+$/.test(name)) {
    throw new WebhookError("invalid_options", `identity.proxyHeaders: ${JSON.stringify(name)} is not a header name`);
  }
  return name.toLowerCase();
}
