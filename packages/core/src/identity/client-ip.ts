import { WebhookError } from "../errors/webhook-error.js";
import { type IpMatcher, parseIpAddress } from "./ip.js";

/** More hops than any real proxy chain; bounds the work of a hostile header. */
const MAX_FORWARDED_HOPS = 64;

/**
 * The client's address: the immediate peer, or, when that peer is a trusted
 * proxy, the rightmost `X-Forwarded-For` hop that is not itself a trusted proxy
 * (every hop left of it could have been written by the client). Forwarded
 * headers from an untrusted peer are not read at all.
 * Throws `malformed_header` for a hop that is not an IP address.
 *
 * @example
 * resolveClientIp("10.0.0.5", "203.0.113.7, 10.0.0.9", createIpMatcher(["10.0.0.0/8"], "trustedProxies"));
 * // "203.0.113.7"
 */
export function resolveClientIp(peer: string, forwardedFor: string | undefined, isTrustedProxy: IpMatcher): string {
  if (forwardedFor === undefined || !isTrustedProxy(peer)) return peer;
  const hops = forwardedFor.split(",");
  if (hops.length > MAX_FORWARDED_HOPS) throw new WebhookError("malformed_header", "x-forwarded-for has too many hops");
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = (hops[i] as string).trim();
    if (hop === "" && hops.length === 1) return peer; // an empty header: no hop was added
    const address = parseIpAddress(hop);
    if (address === undefined)
      throw new WebhookError("malformed_header", "x-forwarded-for has a hop that is not an IP address");
    client = address;
    if (!isTrustedProxy(address)) return address;
  }
  // Every hop is a trusted proxy: the leftmost is the closest we know to the client.
  return client;
}
