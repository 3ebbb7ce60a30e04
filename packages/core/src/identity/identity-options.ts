import type { TenantDirectory, TenantResolver, TenantRule } from "./tenants.js";

/** Names of the headers a trusted TLS-terminating proxy sets (lowercase). */
export interface ProxyHeaderNames {
  /** nginx `$ssl_client_verify`: `SUCCESS`, `FAILED:reason` or `NONE`. Default `x-client-verify`. */
  readonly verify?: string;
  /** nginx `$ssl_client_s_dn` (RFC 2253). Default `x-client-subject`. */
  readonly subject?: string;
  /** nginx `$ssl_client_escaped_cert` (URL-escaped PEM). Default `x-client-cert`. */
  readonly certificate?: string;
}

/** Client certificates to tenants: from this process's TLS connection or from a trusted proxy. */
export interface IdentityOptions {
  /** Rules (`createTenantDirectory` builds a directory you can change at run time) or your own resolver. */
  readonly tenants: TenantDirectory | readonly TenantRule[] | TenantResolver;
  /** Refuse requests without a client certificate (`client_certificate_required`). Default `true`. */
  readonly required?: boolean;
  /** Headers of the trusted proxy; only read when the peer is in `trustedProxies`. */
  readonly proxyHeaders?: ProxyHeaderNames;
  /**
   * Refuse a forwarded subject unless the proxy also forwards the whole certificate,
   * so expiry and fingerprint pins are checked here too. Default `false`.
   */
  readonly requireForwardedCertificate?: boolean;
}
