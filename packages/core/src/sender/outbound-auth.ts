import { WebhookError } from "../errors/webhook-error.js";
import { encodeBase64 } from "../lib/base64.js";
import { utf8 } from "../lib/utf8.js";
import type { TokenCache } from "./oauth2-token-cache.js";
import type { OutboundAuth } from "./types.js";

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\x20-\x7e\t]*$/;

/** The header that authenticates one attempt, and the OAuth2 token it used (to drop it after a 401). */
export interface AppliedAuth {
  readonly token?: string;
}

/** Checks an endpoint's auth options once per send, before any attempt. */
export function checkOutboundAuth(auth: OutboundAuth | undefined): void {
  if (auth === undefined) return;
  const fail = (detail: string): never => {
    throw new WebhookError("invalid_options", detail);
  };
  switch (auth.type) {
    case "api-key":
      if (typeof auth.header !== "string" || !HEADER_NAME.test(auth.header))
        fail("api-key auth needs a valid `header` name");
      if (typeof auth.key !== "string" || auth.key === "" || !HEADER_VALUE.test(auth.key))
        fail("api-key auth needs a `key`");
      return;
    case "basic":
      if (typeof auth.clientId !== "string" || auth.clientId.includes(":"))
        fail("basic auth needs a clientId without ':'");
      if (typeof auth.clientSecret !== "string") fail("basic auth needs a clientSecret");
      return;
    case "bearer":
      if (typeof auth.token !== "string" || auth.token === "" || !/^[\x21-\x7e]+$/.test(auth.token)) {
        fail("bearer auth needs a token");
      }
      return;
    case "oauth2":
      if (
        typeof auth.tokenUrl !== "string" ||
        typeof auth.clientId !== "string" ||
        typeof auth.clientSecret !== "string"
      ) {
        fail("oauth2 auth needs tokenUrl, clientId and clientSecret");
      }
      return;
    default:
      fail(`unknown auth type ${JSON.stringify((auth as { type?: unknown }).type)}`);
  }
}

/** Sets the authentication header of one attempt (fetching an OAuth2 token when needed). */
export async function applyOutboundAuth(
  auth: OutboundAuth | undefined,
  headers: Headers,
  tokens: TokenCache,
): Promise<AppliedAuth> {
  if (auth === undefined) return {};
  switch (auth.type) {
    case "api-key":
      headers.set(auth.header, auth.key);
      return {};
    case "basic":
      headers.set("authorization", `Basic ${encodeBase64(utf8(`${auth.clientId}:${auth.clientSecret}`))}`);
      return {};
    case "bearer":
      headers.set("authorization", `Bearer ${auth.token}`);
      return {};
    case "oauth2": {
      const token = await tokens.get(auth);
      headers.set("authorization", `Bearer ${token}`);
      return { token };
    }
  }
}
