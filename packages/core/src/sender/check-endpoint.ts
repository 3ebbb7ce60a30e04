import { checkOutboundAuth } from "./outbound-auth.js";
import { type AddressGuard, createAddressGuard, type SsrfOptions } from "./ssrf/address-guard.js";
import { parseEndpointUrl } from "./ssrf/endpoint-url.js";
import type { Endpoint } from "./types.js";

/** The checks made before connecting, with a guard already built. */
export function checkEndpointWith(endpoint: Endpoint, guard: AddressGuard): URL {
  const url = parseEndpointUrl(endpoint?.url, guard);
  checkOutboundAuth(endpoint.auth);
  return url;
}

/**
 * The checks a sender makes before it connects, without a sender and without
 * sending: the URL parses, is `https:` (or `http:` with `allowHttp`), carries no
 * credentials, is not an IP literal SSRF protection refuses, and the outbound
 * auth is well formed. Throws their `WebhookError` (`invalid_endpoint`,
 * `ssrf_blocked`, `invalid_options`). Host names are resolved and checked when sending.
 *
 * @example
 * checkEndpoint({ url: customer.webhookUrl }); // at registration time, before storing it
 */
export function checkEndpoint(endpoint: Endpoint, ssrf?: SsrfOptions): URL {
  return checkEndpointWith(endpoint, createAddressGuard(ssrf));
}
