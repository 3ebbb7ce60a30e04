import { createHash, randomBytes } from "node:crypto";
import { WebhookError } from "@hooksec/core";

// Ids become parts of Redis keys and BullMQ job ids (which refuse `:`), and
// receivers see message ids in a header: a conservative alphabet keeps all three safe.
const ID = /^[A-Za-z0-9_.~-]{1,128}$/;

export function checkId(value: unknown, what: string): string {
  if (typeof value !== "string" || !ID.test(value)) {
    throw new WebhookError("invalid_options", `${what} must be 1-128 characters of A-Z a-z 0-9 _ . ~ -`);
  }
  return value;
}

/** `prefix_` and 128 random bits in base64url, like the core's message ids. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString("base64url")}`;
}

/** One job per (endpoint, message): the id that makes enqueueing idempotent. */
export function jobIdOf(endpointId: string, messageId: string): string {
  return `${endpointId}~~${messageId}`;
}

export function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}
