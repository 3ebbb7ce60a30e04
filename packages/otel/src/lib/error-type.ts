import { isWebhookError } from "@hooksec/core";

/** What `error.type` may hold: an identifier, never a sentence (a message could quote a body or a key). */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** The semantic conventions' value for an error type outside any known set. */
const OTHER_ERROR = "_OTHER";

/**
 * A bounded `error.type` for anything thrown: a `WebhookError`'s code, a system or
 * undici error code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`), an error class name
 * (`TypeError`, `TimeoutError`), else `_OTHER`. Never the message, never the cause.
 */
export function errorType(error: unknown): string {
  if (isWebhookError(error)) return error.code;
  if (typeof error !== "object" || error === null) return OTHER_ERROR;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && IDENTIFIER.test(code)) return code;
  const name = (error as { name?: unknown }).name;
  if (typeof name === "string" && IDENTIFIER.test(name)) return name;
  return OTHER_ERROR;
}
