import { WebhookError } from "../../errors/webhook-error.js";
import { decodeBase64 } from "../../lib/base64.js";

/** Bounds the work a single header can ask for. */
const MAX_SIGNATURES = 32;
const VERSION = /^v\d+[a-z]?$/;

/**
 * Parses a Standard Webhooks signature header: space-separated `version,base64`
 * entries. Returns the decoded signatures of each of `versions`, in that order; entries
 * of other versions are skipped (so a header signed for a migration still parses), but
 * every entry must be well formed.
 */
export function parseSignatureList(value: string, versions: readonly string[], headerName: string): Uint8Array[][] {
  const entries = value.split(" ");
  if (entries.length > MAX_SIGNATURES)
    throw new WebhookError("malformed_header", `more than ${MAX_SIGNATURES} signatures`);
  const signatures: Uint8Array[][] = versions.map(() => []);
  for (const entry of entries) {
    const comma = entry.indexOf(",");
    const entryVersion = comma > 0 ? entry.slice(0, comma) : "";
    if (!VERSION.test(entryVersion))
      throw new WebhookError("malformed_header", `${headerName} entry is not version,base64`);
    const decoded = decodeBase64(entry.slice(comma + 1));
    if (decoded === undefined || decoded.length === 0) {
      throw new WebhookError("malformed_header", `${headerName} entry is not valid base64`);
    }
    signatures[versions.indexOf(entryVersion)]?.push(decoded);
  }
  return signatures;
}
