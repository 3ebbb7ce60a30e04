import * as ipaddrNamespace from "ipaddr.js";
import { WebhookError } from "../errors/webhook-error.js";
import { BoundedCache } from "./bounded-cache.js";

// ipaddr.js is CommonJS: Node's ESM loader exposes it as `default` only, bundlers as both.
const ipaddr: typeof ipaddrNamespace =
  (ipaddrNamespace as unknown as { default?: typeof ipaddrNamespace }).default ?? ipaddrNamespace;

type Address = ipaddrNamespace.IPv4 | ipaddrNamespace.IPv6;

/** Tells whether an address (already parsed with `parseIpAddress`) is in a set of CIDRs. */
export type IpMatcher = (address: string) => boolean;

/**
 * Parses an IP address strictly and normalises it: IPv4 in dotted decimal,
 * IPv6 in RFC 5952 form, an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what
 * a dual-stack Node socket reports) as the IPv4 address. Accepts `[v6]`,
 * `[v6]:port` and `v4:port` as proxies write them. `undefined` for anything else.
 *
 * @example
 * parseIpAddress("::ffff:127.0.0.1"); // "127.0.0.1"
 */
export function parseIpAddress(text: string): string | undefined {
  const address = parseAddress(text);
  return address === undefined ? undefined : address.toString();
}

/**
 * Builds a matcher for IPv4 and IPv6 CIDRs (`10.0.0.0/8`, `2001:db8::/32`, or a
 * single address). An IPv4-mapped IPv6 CIDR (`::ffff:10.0.0.0/104`) matches the
 * IPv4 addresses it maps. Throws `invalid_options` for a CIDR it cannot read.
 *
 * @example
 * const isTrusted = createIpMatcher(["127.0.0.1", "10.0.0.0/8", "fd00::/8"], "trustedProxies");
 * isTrusted("::ffff:10.1.2.3"); // true
 */
export function createIpMatcher(cidrs: readonly string[], optionName: string): IpMatcher {
  if (!Array.isArray(cidrs)) throw new WebhookError("invalid_options", `${optionName} must be an array of CIDRs`);
  const v4: [ipaddrNamespace.IPv4, number][] = [];
  const v6: [ipaddrNamespace.IPv6, number][] = [];
  for (const cidr of cidrs) {
    const range = parseCidr(cidr);
    if (range === undefined)
      throw new WebhookError("invalid_options", `${optionName}: ${JSON.stringify(cidr)} is not an IP address or CIDR`);
    const [network, bits] = range;
    if (network.kind() === "ipv4") v4.push([network as ipaddrNamespace.IPv4, bits]);
    else v6.push([network as ipaddrNamespace.IPv6, bits]);
  }
  return (text) => {
    const address = parseAddress(text);
    if (address === undefined) return false;
    if (address.kind() === "ipv4") return v4.some((range) => address.match(range));
    return v6.some((range) => address.match(range));
  };
}

/**
 * The budget an address counts against: an IPv4 address alone, an IPv6 address by its
 * network of `ipv6PrefixBits` (RFC 5952 text, e.g. `2001:db8:1:2::/64`), since one
 * subscriber usually holds a whole /64 and can pick any address in it. `undefined` for
 * text that is not an address.
 *
 * @example
 * addressBucket("2001:db8:1:2:aaaa::1", 64); // "2001:db8:1:2::/64"
 */
export function addressBucket(text: string, ipv6PrefixBits: number): string | undefined {
  const address = parseAddress(text);
  if (address === undefined) return undefined;
  if (address.kind() === "ipv4" || ipv6PrefixBits >= 128) return address.toString();
  const bytes = address.toByteArray();
  for (let bit = ipv6PrefixBits; bit < 128; bit++) bytes[bit >> 3] = (bytes[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  return `${ipaddr.fromByteArray(bytes).toString()}/${ipv6PrefixBits}`;
}

/** Parses `address` or `address/prefix` strictly; IPv4-mapped IPv6 ranges become IPv4 ranges. */
export function parseCidr(text: string): [Address, number] | undefined {
  if (typeof text !== "string") return undefined;
  const slash = text.indexOf("/");
  const address = parseBareAddress(slash < 0 ? text : text.slice(0, slash), false);
  if (address === undefined) return undefined;
  const max = address.kind() === "ipv4" ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const prefix = text.slice(slash + 1);
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(prefix)) return undefined;
    bits = Number(prefix);
    if (bits > max) return undefined;
  }
  if (address.kind() === "ipv6" && (address as ipaddrNamespace.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddrNamespace.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}

// Peers and forwarded hops repeat on every request: parse each spelling once.
const parsedAddresses = new BoundedCache<Address | null>(1024, 100);

function parseAddress(text: string): Address | undefined {
  if (typeof text !== "string" || text.length === 0 || text.length > 100) return undefined;
  return parsedAddresses.getOrCompute(text, () => parseAddressUncached(text) ?? null) ?? undefined;
}

function parseAddressUncached(text: string): Address | undefined {
  let bare = text;
  const bracketed = /^\[([^\]]+)\](?::([0-9]{1,5}))?$/.exec(text);
  if (bracketed) bare = bracketed[1] as string;
  else if (/^[0-9.]+:[0-9]{1,5}$/.test(text)) bare = text.slice(0, text.indexOf(":"));
  return parseBareAddress(bare, true);
}

function parseBareAddress(text: string, unmap: boolean): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  // ipaddr's IPv6 parser reads an embedded IPv4 leniently (`::ffff:127.1`): insist on four decimal parts.
  if (!text.includes(":") || !ipaddr.IPv6.isValid(text)) return undefined;
  const embedded = /:([0-9]*\.[0-9.]*)(?:%.*)?$/.exec(text);
  if (embedded && !ipaddr.IPv4.isValidFourPartDecimal(embedded[1] as string)) return undefined;
  const address = ipaddr.IPv6.parse(text);
  return unmap && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}
