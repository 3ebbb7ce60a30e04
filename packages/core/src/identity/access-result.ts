import type { HeaderReader } from "../lib/headers.js";
import type { WebhookParts } from "../verifier/types.js";
import type { ClientCertificateInfo } from "./tenants.js";

/** Who is calling, established before any signature work. */
export interface AccessResult {
  /** The tenant the caller proved to be (client certificate), if any. */
  readonly tenant: string | undefined;
  /** The client's address (behind trusted proxies: the rightmost untrusted `X-Forwarded-For` hop). */
  readonly clientIp?: string | undefined;
  /** The client certificate, when one was presented and accepted. */
  readonly certificate?: ClientCertificateInfo | undefined;
}

/** Step 1 of verification: client IP allowlist, client certificate to tenant. */
export type AccessCheck = (parts: WebhookParts, header: HeaderReader) => Promise<AccessResult>;

/** What the access step had established when it refused a request, by error. */
const establishedByError = new WeakMap<object, AccessResult>();

/** Remembers what the access step knew when it threw `error`. */
export function recordEstablished(error: unknown, established: AccessResult): void {
  if (typeof error === "object" && error !== null) establishedByError.set(error, established);
}

/**
 * What the access step knew when it threw `error` (client IP, certificate with a negative
 * `daysUntilExpiry` when expired, tenant when disabled or rate limited), for the rejection event.
 */
export function establishedBefore(error: unknown): AccessResult | undefined {
  return typeof error === "object" && error !== null ? establishedByError.get(error) : undefined;
}
