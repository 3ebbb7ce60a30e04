import { cryptoBackend } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { encodeBase64 } from "../../lib/base64.js";
import { utf8 } from "../../lib/utf8.js";
import { createHmacKeyring } from "../../keys/keyring.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { requireHeader } from "../signature/header-fields.js";
import type { IncomingWebhook, SchemeVerification, WebhookScheme } from "../types.js";

/**
 * A scheme whose proof is a shared token the sender repeats in a header (GitLab, Telegram) or
 * Basic credentials (Postmark), not a signature: it authenticates the sender, never the body,
 * and signs no time. `sign()` writes the token header, so handlers can still be tested.
 */
export interface SharedTokenScheme extends WebhookScheme {
  readonly proof: "shared-token";
  readonly timestamped: false;
}

export interface SharedTokenFormat {
  readonly name: string;
  readonly header: string;
  /** The token inside the header value (Basic: the decoded `user:password`); `undefined` when malformed. */
  readonly tokenOf?: (value: string) => string | undefined;
  /** The header value that carries a token. */
  readonly write: (token: string) => string;
  /** A header naming the message (unsigned, so the body's digest deduplicates). */
  readonly idHeader?: string;
}

const MAX_TOKEN_CHARS = 1024;
const VISIBLE = /^[\x21-\x7e]{1,256}$/;

/**
 * Compares the received token with every configured one in constant time: each is keyed into an
 * HMAC of a fixed label, so lengths never leak and every comparison is over 32 bytes.
 */
export function defineSharedTokenScheme(format: SharedTokenFormat, options: SecretOptions): SharedTokenScheme {
  // A token is a password: the same 16-byte floor as an HMAC secret applies.
  const keyring = createHmacKeyring(options, "SHA-256", utf8);
  const label = [utf8(`hooksec ${format.name} token`)];

  async function fingerprint(token: string): Promise<Uint8Array> {
    const key = await cryptoBackend.importHmacKey(utf8(token), "SHA-256");
    return cryptoBackend.hmac(key, label);
  }

  async function verify(incoming: IncomingWebhook): Promise<SchemeVerification> {
    const value = requireHeader(incoming.header, format.header);
    const token = value.length > MAX_TOKEN_CHARS ? undefined : format.tokenOf ? format.tokenOf(value) : value;
    if (token === undefined || token === "")
      throw new WebhookError("malformed_header", `${format.header} is not a token`);
    const received = await fingerprint(token);
    const keys = await keyring.keysFor(incoming.tenant);
    for (const { id: keyId, key } of keys) {
      if (cryptoBackend.timingSafeEqual(await cryptoBackend.hmac(key, label), received)) {
        // Nothing signs the body: its digest deduplicates a replay of the same delivery.
        const replayKey = encodeBase64(await cryptoBackend.digest("SHA-256", incoming.body));
        const named = format.idHeader === undefined ? undefined : incoming.header(format.idHeader);
        return {
          id: named !== undefined && VISIBLE.test(named) ? named : replayKey,
          replayKey,
          timestamp: undefined,
          keyId,
        };
      }
    }
    throw new WebhookError("invalid_signature", `the ${format.name} token matched none of ${keys.length} token(s)`);
  }

  async function sign(message: Parameters<WebhookScheme["sign"]>[0]) {
    const first = (await keyring.keysFor(message.tenant))[0];
    if (first === undefined) throw new WebhookError("invalid_options", "no token for this tenant");
    const secrets = options as { secret?: unknown; secrets?: unknown };
    const raw = secrets.secret ?? (Array.isArray(secrets.secrets) ? secrets.secrets[0] : undefined);
    const text =
      typeof raw === "object" && raw !== null && !(raw instanceof Uint8Array)
        ? (raw as { secret: unknown }).secret
        : raw;
    if (typeof text !== "string") throw new WebhookError("invalid_options", `${format.name} sends its token as text`);
    const headers: Record<string, string> = { [format.header]: format.write(text) };
    if (format.idHeader !== undefined) headers[format.idHeader] = message.id;
    return headers;
  }

  return {
    name: format.name,
    timestamped: false,
    proof: "shared-token",
    verify,
    sign,
    async encode(message) {
      return { headers: await sign(message), body: message.body };
    },
  };
}
