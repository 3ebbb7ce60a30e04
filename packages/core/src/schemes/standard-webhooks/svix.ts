import type { SecretOptions } from "../../keys/secret-input.js";
import type { WebhookScheme } from "../types.js";
import { standardScheme } from "./standard-webhooks.js";

/** Options of {@link svix}: the endpoint's signing secret (`whsec_...`), or several while rotating. */
export type SvixOptions = SecretOptions;

/**
 * Svix: the Standard Webhooks signature in `svix-id`, `svix-timestamp`,
 * `svix-signature` headers, with the `whsec_...` secret from the Svix dashboard.
 *
 * @example
 * const verifier = createVerifier({ scheme: svix({ secret: process.env.SVIX_SECRET }) });
 */
export function svix(options: SvixOptions): WebhookScheme {
  return standardScheme("svix", { id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature" }, options);
}
