import type { Awaitable } from "../lib/awaitable.js";

/** One secret: as a string (in the scheme's own format), raw bytes, or with an explicit id for logs. */
export type SecretInput = string | Uint8Array | { readonly id?: string; readonly secret: string | Uint8Array };

/**
 * Looks a tenant's secrets up at verification time (a database, a vault), so a
 * client certificate and a signature must match the same tenant.
 * Return `undefined` or `[]` for an unknown tenant.
 */
export type SecretLookup = (context: {
  readonly tenant: string | undefined;
}) => Awaitable<SecretInput | readonly SecretInput[] | undefined>;

/**
 * What a symmetric scheme accepts: `{ secret }` or `{ secrets: [...] }` (newest first) or a lookup.
 * `secret` may be `undefined` in the type so `{ secret: process.env.WEBHOOK_SECRET }` compiles as
 * users write it; an unset variable then fails at construction with `invalid_options`, saying so.
 */
export type SecretOptions =
  | { readonly secret: SecretInput | undefined; readonly secrets?: undefined }
  | { readonly secrets: readonly SecretInput[] | SecretLookup; readonly secret?: undefined };
