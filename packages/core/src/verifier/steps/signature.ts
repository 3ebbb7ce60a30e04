import type { HeaderReader } from "../../lib/headers.js";
import type { SchemeVerification, WebhookScheme } from "../../schemes/types.js";
import type { WebhookParts } from "../types.js";

/**
 * Step 2: the scheme checks the signature over the raw bytes, in constant time,
 * against any key of its keyring. `time` is the one clock reading this message
 * is judged by (JWT `exp`/`nbf` here, the window in step 3).
 */
export function verifySignature(
  scheme: WebhookScheme,
  parts: WebhookParts,
  header: HeaderReader,
  tenant: string | undefined,
  time: number,
): Promise<SchemeVerification> {
  return scheme.verify({ method: parts.method, url: parts.url, header, body: parts.body, tenant, now: time });
}
