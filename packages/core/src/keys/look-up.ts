import { WebhookError } from "../errors/webhook-error.js";
import type { Awaitable } from "../lib/awaitable.js";

/**
 * Asks an app's per-tenant lookup (secrets or public keys) and returns its answer as a
 * list: none for `undefined`. A lookup that throws is the app's setup failing, not the
 * sender's request: `invalid_options`, with the cause kept for the server log.
 */
export async function lookUpList<T>(
  lookup: (context: { readonly tenant: string | undefined }) => Awaitable<T | readonly T[] | undefined>,
  tenant: string | undefined,
  what: "secrets" | "keys",
): Promise<readonly T[]> {
  let found: T | readonly T[] | undefined;
  try {
    found = await lookup({ tenant });
  } catch (cause) {
    throw new WebhookError("invalid_options", `the ${what} lookup failed`, { cause });
  }
  if (found === undefined) return [];
  return Array.isArray(found) ? (found as readonly T[]) : [found as T];
}
