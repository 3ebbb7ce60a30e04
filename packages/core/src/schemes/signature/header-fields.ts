import { WebhookError } from "../../errors/webhook-error.js";
import type { HeaderReader } from "../../lib/headers.js";

const UNIX_SECONDS = /^\d{1,12}$/;

/** A header that must be present and non-empty. */
export function requireHeader(header: HeaderReader, name: string): string {
  const value = header(name);
  if (value === undefined || value === "") throw new WebhookError("missing_header", `missing ${name}`);
  return value;
}

/** A timestamp is decimal digits only: no sign, no fraction, no exponent, no spaces. */
export function parseUnixSeconds(text: string, headerName: string): string {
  if (!UNIX_SECONDS.test(text)) throw new WebhookError("malformed_header", `${headerName} is not unix seconds`);
  return text;
}

/** Unix seconds of a Date, as a sender writes them. */
export function toUnixSeconds(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms) || ms < 0)
    throw new WebhookError("invalid_options", "timestamp must be a valid Date after 1970");
  return String(Math.floor(ms / 1000));
}
