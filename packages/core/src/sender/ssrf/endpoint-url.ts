import { WebhookError } from "../../errors/webhook-error.js";
import type { AddressGuard } from "./address-guard.js";
import { parseIpAddress } from "./classify-address.js";

/**
 * Parses an endpoint URL and applies the checks that need no DNS: the scheme
 * (`https:`, or `http:` when allowed), no credentials in the URL, and an IP
 * literal host (in any form: the WHATWG parser normalises `0x7f.1` to `127.0.0.1`)
 * checked by the guard.
 */
export function parseEndpointUrl(url: string | URL, guard: AddressGuard): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new WebhookError("invalid_endpoint", "the endpoint URL does not parse", { cause });
  }
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && guard.allowHttp)) {
    throw new WebhookError(
      "invalid_endpoint",
      `${parsed.protocol} endpoints are not allowed (https only unless allowHttp)`,
    );
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new WebhookError("invalid_endpoint", "credentials in the endpoint URL are not allowed; use `auth`");
  }
  if (parsed.hostname === "") throw new WebhookError("invalid_endpoint", "the endpoint URL has no host");
  if (isIpLiteral(parsed.hostname)) guard.check(parsed.hostname);
  return parsed;
}

/** A URL hostname that is an IP address (IPv6 in brackets), not a name to resolve. */
export function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith("[") || parseIpAddress(hostname) !== undefined;
}

/** The hostname without IPv6 brackets, as resolvers and sockets want it. */
export function bareHostname(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}
