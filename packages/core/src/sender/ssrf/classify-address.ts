import { type IPv4, type IPv6, ipaddr } from "./ipaddr.js";

/**
 * Why an address is not a public destination, or `"public"`.
 * `metadata` is checked before the wider range it sits in (169.254.169.254 is link-local too).
 */
export type AddressCategory =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "unique-local"
  | "cgnat"
  | "multicast"
  | "unspecified"
  | "broadcast"
  | "reserved"
  | "documentation"
  | "metadata"
  | "teredo";

/** One parsed address and what it is. */
export interface AddressClassification {
  /** Canonical text of the address (IPv6 in RFC 5952 form, without a zone). */
  readonly address: string;
  readonly category: AddressCategory;
  /** The IPv4 address carried inside an IPv4-mapped, NAT64 or 6to4 IPv6 address. */
  readonly embeddedIPv4?: string;
}

type Address = IPv4 | IPv6;
type RangeTable = readonly (readonly [Address, number, AddressCategory])[];

function table(entries: readonly (readonly [string, AddressCategory])[]): RangeTable {
  return entries.map(([cidr, category]) => {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    return [network, bits, category] as const;
  });
}

// Cloud instance metadata services: AWS, GCP, Azure, OpenStack (169.254.169.254), AWS ECS
// task metadata (169.254.170.2), Alibaba (100.100.100.200), AWS over IPv6 (fd00:ec2::254).
const METADATA = table([
  ["169.254.169.254/32", "metadata"],
  ["169.254.170.2/32", "metadata"],
  ["100.100.100.200/32", "metadata"],
  ["fd00:ec2::254/128", "metadata"],
]);

// First match wins, so a narrow range sits before the wide one that contains it.
const IPV4 = table([
  ["0.0.0.0/8", "unspecified"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "cgnat"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "reserved"],
  ["192.0.2.0/24", "documentation"],
  ["192.88.99.0/24", "reserved"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "reserved"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  ["255.255.255.255/32", "broadcast"],
  ["240.0.0.0/4", "reserved"],
]);

const IPV6 = table([
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["64:ff9b:1::/48", "private"],
  ["100::/64", "reserved"],
  ["2001::/32", "teredo"],
  ["2001:2::/48", "reserved"],
  ["2001:10::/28", "reserved"],
  ["2001:20::/28", "reserved"],
  ["2001:db8::/32", "documentation"],
  ["3fff::/20", "documentation"],
  ["fc00::/7", "unique-local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "private"],
  ["ff00::/8", "multicast"],
]);

const IPV4_MAPPED = ipaddr.parseCIDR("::ffff:0:0/96");
const NAT64 = ipaddr.parseCIDR("64:ff9b::/96");
const SIX_TO_FOUR = ipaddr.parseCIDR("2002::/16");
const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");

function lookup(address: Address, ranges: RangeTable): AddressCategory | undefined {
  for (const [network, bits, category] of ranges) {
    if (address.kind() === network.kind() && address.match(network, bits)) return category;
  }
  return undefined;
}

function classifyIPv4(address: IPv4): AddressCategory {
  return lookup(address, METADATA) ?? lookup(address, IPV4) ?? "public";
}

/** The IPv4 address an IPv6 address carries by a standard translation, if it has one. */
function embeddedIPv4(address: IPv6): IPv4 | undefined {
  const parts = address.parts;
  const word = (i: number): number => parts[i] ?? 0;
  if (address.match(IPV4_MAPPED) || address.match(NAT64)) {
    return new ipaddr.IPv4([word(6) >> 8, word(6) & 0xff, word(7) >> 8, word(7) & 0xff]);
  }
  if (address.match(SIX_TO_FOUR)) return new ipaddr.IPv4([word(1) >> 8, word(1) & 0xff, word(2) >> 8, word(2) & 0xff]);
  return undefined;
}

/** Parses an IP address in any form ipaddr.js accepts (also `[::1]` and a zone id); `undefined` for a name. */
export function parseIpAddress(text: string): Address | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return undefined;
  try {
    return ipaddr.parse(bare);
  } catch {
    return undefined;
  }
}

/**
 * Classifies an IP address for SSRF protection. IPv4 forms the WHATWG URL parser
 * and `inet_aton` accept (`2130706433`, `0x7f.1`, `0177.0.0.1`) are the same address;
 * IPv4-mapped, NAT64 and 6to4 addresses are judged by the IPv4 address inside them.
 * Returns `undefined` for text that is not an IP address (a host name).
 *
 * @example
 * classifyAddress("169.254.169.254")?.category; // "metadata"
 */
export function classifyAddress(text: string): AddressClassification | undefined {
  const parsed = parseIpAddress(text);
  if (parsed === undefined) return undefined;
  if (parsed.kind() === "ipv4") {
    const v4 = parsed as IPv4;
    return { address: v4.toString(), category: classifyIPv4(v4) };
  }
  const v6 = parsed as IPv6;
  const address = new ipaddr.IPv6(v6.parts).toRFC5952String();
  const metadata = lookup(v6, METADATA);
  if (metadata !== undefined) return { address, category: metadata };
  const inner = embeddedIPv4(v6);
  if (inner !== undefined) return { address, category: classifyIPv4(inner), embeddedIPv4: inner.toString() };
  const category = lookup(v6, IPV6) ?? (v6.match(GLOBAL_UNICAST) ? "public" : "reserved");
  return { address, category };
}
