import { decodeBase64, encodeBase64 } from "../../lib/base64.js";
import { decodeUtf8Strict, utf8 } from "../../lib/utf8.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { defineProvider } from "./provider.js";
import { defineSharedTokenScheme, type SharedTokenScheme } from "./shared-token.js";

/** `secret`: the `username:password` put in the webhook URL's Basic auth (or several, while rotating). */
export type PostmarkOptions = SecretOptions;

function basicCredentials(value: string): string | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(value);
  const bytes = match?.[1] === undefined ? undefined : decodeBase64(match[1]);
  const text = bytes === undefined ? undefined : decodeUtf8Strict(bytes);
  return text?.includes(":") ? text : undefined;
}

/**
 * Postmark: no signature; the webhook URL carries Basic auth credentials, so each delivery has
 * `Authorization: Basic base64(user:password)`, compared in constant time against
 * `user:password` (`proof: "shared-token"`: the body is not authenticated, nothing is
 * timestamped; the body's SHA-256 deduplicates).
 * https://postmarkapp.com/developer/webhooks/webhooks-overview#protecting-your-webhook
 *
 * @example
 * const verifier = createVerifier({ scheme: postmark({ secret: `hooks:${process.env.POSTMARK_WEBHOOK_PASSWORD}` }) });
 */
export function postmark(options: PostmarkOptions): SharedTokenScheme {
  return defineSharedTokenScheme(
    {
      name: "postmark",
      header: "authorization",
      tokenOf: basicCredentials,
      write: (credentials) => `Basic ${encodeBase64(utf8(credentials))}`,
    },
    options,
  );
}

export const postmarkProvider = defineProvider(
  {
    title: "Postmark",
    algorithm: "basic-auth",
    timestamped: false,
    messageId: "the body's SHA-256 (MessageID is inside, unsigned)",
    docs: "https://postmarkapp.com/developer/webhooks/webhooks-overview#protecting-your-webhook",
    keys: "credentials",
  },
  postmark,
);
