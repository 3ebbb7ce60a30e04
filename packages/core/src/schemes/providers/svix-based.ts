import type { SecretOptions } from "../../keys/secret-input.js";
import { standardScheme } from "../standard-webhooks/standard-webhooks.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

const SVIX_HEADERS = { id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature" } as const;

/**
 * Options of {@link clerk}: the endpoint's Svix signing secret from the Clerk dashboard (`whsec_...`), or several while rotating.
 */
export type ClerkOptions = SecretOptions;
/**
 * Options of {@link resend}: the endpoint's Svix signing secret from the Resend dashboard (`whsec_...`), or several while rotating.
 */
export type ResendOptions = SecretOptions;

/**
 * Clerk: delivered by Svix, so the Standard Webhooks signature (`svix-id`, `svix-timestamp`,
 * `svix-signature`, HMAC-SHA256 over `id.timestamp.body`) with the endpoint's `whsec_` signing secret.
 * https://clerk.com/docs/webhooks/sync-data
 *
 * @example
 * const verifier = createVerifier({ scheme: clerk({ secret: process.env.CLERK_WEBHOOK_SIGNING_SECRET }) });
 */
export function clerk(options: ClerkOptions): WebhookScheme {
  return standardScheme("clerk", SVIX_HEADERS, options);
}

/**
 * Resend: delivered by Svix, so the Standard Webhooks signature under `svix-*` headers with the
 * webhook's `whsec_` signing secret. https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests
 *
 * @example
 * const verifier = createVerifier({ scheme: resend({ secret: process.env.RESEND_WEBHOOK_SECRET }) });
 */
export function resend(options: ResendOptions): WebhookScheme {
  return standardScheme("resend", SVIX_HEADERS, options);
}

const svixLike = {
  algorithm: "hmac-sha256",
  timestamped: true,
  messageId: "svix-id (signed)",
  keys: "secret",
} as const;
export const clerkProvider = defineProvider(
  { ...svixLike, title: "Clerk", docs: "https://clerk.com/docs/webhooks/sync-data" },
  clerk,
);
export const resendProvider = defineProvider(
  { ...svixLike, title: "Resend", docs: "https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests" },
  resend,
);
