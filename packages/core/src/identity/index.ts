// `@hooksec/core/identity`: client certificates to tenants, proxies, allowlists.
export {
  canonicalDistinguishedName,
  dnAttributeValues,
  formatDistinguishedName,
  parseDistinguishedName,
  type DistinguishedName,
  type DnAttribute,
  type DnFormat,
  type RelativeDistinguishedName,
} from "./distinguished-name.js";
export { normalizeFingerprint, parseCertificate, type ParsedCertificate } from "./certificate.js";
export { createIpMatcher, parseIpAddress, type IpMatcher } from "./ip.js";
export { resolveClientIp } from "./client-ip.js";
export {
  createTenantDirectory,
  type ClientCertificateInfo,
  type TenantDirectory,
  type TenantMatch,
  type TenantResolver,
  type TenantRule,
} from "./tenants.js";
export type { IdentityOptions, ProxyHeaderNames } from "./identity-options.js";
export type { RateLimiter, RateLimitOptions } from "./rate-limit.js";
export type { Awaitable } from "../lib/awaitable.js";
