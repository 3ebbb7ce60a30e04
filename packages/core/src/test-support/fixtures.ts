// Test fixtures only: these secrets exist for the test suite and sign nothing real.
import { encodeBase64 } from "../lib/base64.js";
import { headerReader } from "../lib/headers.js";
import { utf8 } from "../lib/utf8.js";
import type { IncomingWebhook } from "../schemes/types.js";

/** A fresh `whsec_` test secret from random bytes. */
export function testSecret(bytes = 24): string {
  return `whsec_${encodeBase64(crypto.getRandomValues(new Uint8Array(bytes)))}`;
}

export const FIXED_NOW_MS = 1_700_000_000_000;

/** Builds the `Request` a sender would make from signed headers and a body. */
export function webhookRequest(
  headers: Record<string, string>,
  body: Uint8Array | string,
  url = "https://receiver.test/webhooks",
): Request {
  return new Request(url, { method: "POST", headers, body: typeof body === "string" ? body : new Uint8Array(body) });
}

/** What a scheme sees of a received webhook, from plain headers and a body. */
export function incomingWebhook(
  headers: Record<string, string>,
  body: Uint8Array | string,
  url = "https://receiver.test/",
): IncomingWebhook {
  return {
    method: "POST",
    url,
    header: headerReader(headers),
    body: typeof body === "string" ? utf8(body) : body,
    tenant: undefined,
  };
}
