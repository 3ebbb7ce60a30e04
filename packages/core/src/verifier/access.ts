import type { HeaderReader } from "../lib/headers.js";
import type { VerifierOptions, WebhookParts } from "./types.js";

/** Who is calling, established before any signature work. */
export interface AccessResult {
  /** The tenant the caller proved to be (client certificate), if any. */
  readonly tenant: string | undefined;
}

/** Step 1 of verification: client IP allowlist, client certificate to tenant. */
export type AccessCheck = (parts: WebhookParts, header: HeaderReader) => Promise<AccessResult>;

/** Builds the access step from the options; `undefined` when nothing is configured. */
export function createAccessCheck(_options: VerifierOptions): AccessCheck | undefined {
  return undefined;
}
