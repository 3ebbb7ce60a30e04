import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWebhookError } from "../errors/webhook-error.js";
import { resolveClientIp } from "./client-ip.js";
import { createIpMatcher, parseCidr, parseIpAddress } from "./ip.js";

// ---- a reference written for the test: addresses as bigints, prefixes as masks ----

interface Reference {
  readonly v6: boolean;
  readonly value: bigint;
}

function ipv4ToText(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 255n).toString()).join(".");
}

function ipv6ToText(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return groups.join(":"); // uncompressed: the parser must handle it like any other spelling
}

/** An IPv4-mapped IPv6 address is its IPv4 address (what a dual-stack socket reports). */
function unmapped(address: Reference): Reference {
  return address.v6 && address.value >> 32n === 0xffffn ? { v6: false, value: address.value & 0xffffffffn } : address;
}

function referenceContains(network: Reference, bits: number, address: Reference): boolean {
  // An IPv4-mapped network with a prefix inside the mapped part is an IPv4 network.
  const mapped = network.v6 && network.value >> 32n === 0xffffn && bits >= 96;
  const net = mapped ? unmapped(network) : network;
  const prefix = mapped ? bits - 96 : bits;
  const candidate = unmapped(address);
  if (net.v6 !== candidate.v6) return false;
  const shift = (net.v6 ? 128n : 32n) - BigInt(prefix);
  return candidate.value >> shift === net.value >> shift;
}

const ipv4 = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((value): Reference => ({ v6: false, value }));
const ipv6 = fc
  .oneof(
    fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
    // IPv4-mapped addresses, so the mapping is exercised on both sides
    fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((v4) => (0xffffn << 32n) | v4),
    // near a few fixed networks, so matches are common
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((low) => (0x20010db8n << 96n) | low),
  )
  .map((value): Reference => ({ v6: true, value }));
const address = fc.oneof(ipv4, ipv6);
const text = (a: Reference) => (a.v6 ? ipv6ToText(a.value) : ipv4ToText(a.value));
const network = address.chain((a) =>
  fc
    .integer({ min: a.v6 && a.value >> 32n === 0xffffn ? 96 : 0, max: a.v6 ? 128 : 32 })
    .map((bits) => ({ network: a, bits })),
);

describe("CIDR matching against a bigint reference", () => {
  it("agrees for random networks and addresses, IPv4, IPv6 and IPv4-mapped", () => {
    fc.assert(
      fc.property(fc.array(network, { minLength: 1, maxLength: 4 }), address, (networks, candidate) => {
        const matcher = createIpMatcher(
          networks.map(({ network: n, bits }) => `${text(n)}/${bits}`),
          "allowlist",
        );
        const expected = networks.some(({ network: n, bits }) => referenceContains(n, bits, candidate));
        expect(matcher(text(candidate))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("agrees for addresses derived from the network (inside and just outside)", () => {
    fc.assert(
      fc.property(
        network,
        fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
        fc.boolean(),
        ({ network: n, bits }, noise, flip) => {
          const width = n.v6 ? 128 : 32;
          const hostBits = BigInt(width - bits);
          const host = noise & ((1n << hostBits) - 1n);
          let value = ((n.value >> hostBits) << hostBits) | host;
          if (flip && bits > 0) value ^= 1n << hostBits; // flip the last network bit: outside
          const candidate = { v6: n.v6, value };
          expect(createIpMatcher([`${text(n)}/${bits}`], "allowlist")(text(candidate))).toBe(
            referenceContains(n, bits, candidate),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parseIpAddress", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::FFFF:7f00:1", "127.0.0.1"],
    ["[::1]:8443", "::1"],
    ["203.0.113.9:51234", "203.0.113.9"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
  ])("%s is %s", (input, expected) => {
    expect(parseIpAddress(input)).toBe(expected);
  });

  it.each([
    "",
    "localhost",
    "127.1",
    "0x7f.0.0.1",
    "010.0.0.1",
    "256.0.0.1",
    "1.2.3.4.5",
    "::ffff:127.1",
    "[::1",
    "1.2.3.4:",
    "::1:99999",
  ])("refuses %j", (input) => {
    expect(parseIpAddress(input)).toBeUndefined();
  });
});

describe("createIpMatcher", () => {
  it("matches single addresses, ranges and IPv4-mapped IPv6 ranges", () => {
    const matcher = createIpMatcher(
      ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::ffff:198.51.100.0/120"],
      "allowlist",
    );
    expect(matcher("10.200.1.1")).toBe(true);
    expect(matcher("::ffff:10.200.1.1")).toBe(true);
    expect(matcher("11.0.0.1")).toBe(false);
    expect(matcher("192.0.2.7")).toBe(true);
    expect(matcher("192.0.2.8")).toBe(false);
    expect(matcher("2001:db8:1::5")).toBe(true);
    expect(matcher("2001:db9::5")).toBe(false);
    expect(matcher("198.51.100.20")).toBe(true);
    expect(matcher("not an ip")).toBe(false);
  });

  it.each([["10.0.0.0/33"], ["10.0.0.0/-1"], ["10.0.0.0/08"], ["2001:db8::/129"], ["example.com"], ["10.0.0.0/"]])(
    "refuses the option %j with invalid_options",
    (cidr) => {
      expect(() => createIpMatcher([cidr], "allowlist")).toThrowError(
        expect.objectContaining({ code: "invalid_options" }),
      );
    },
  );

  it("reads the prefix of an IPv4-mapped CIDR as an IPv4 prefix", () => {
    expect(parseCidr("::ffff:10.0.0.0/104")?.[1]).toBe(8);
  });
});

describe("resolveClientIp", () => {
  const trusted = createIpMatcher(["10.0.0.0/8", "fd00::/8"], "trustedProxies");

  it("is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(resolveClientIp("203.0.113.5", "198.51.100.1", trusted)).toBe("203.0.113.5");
  });

  it("is the rightmost hop that is not a trusted proxy", () => {
    expect(resolveClientIp("10.0.0.1", "1.1.1.1, 203.0.113.5, 10.0.0.7", trusted)).toBe("203.0.113.5");
    expect(resolveClientIp("10.0.0.1", "203.0.113.5", trusted)).toBe("203.0.113.5");
    expect(resolveClientIp("10.0.0.1", "::ffff:203.0.113.5, fd00::1", trusted)).toBe("203.0.113.5");
  });

  it("is the leftmost hop when every hop is a trusted proxy, the peer when there is no header", () => {
    expect(resolveClientIp("10.0.0.1", "10.9.9.9, 10.0.0.7", trusted)).toBe("10.9.9.9");
    expect(resolveClientIp("10.0.0.1", undefined, trusted)).toBe("10.0.0.1");
  });

  it("refuses a hop that is not an address with malformed_header", () => {
    expect(() => resolveClientIp("10.0.0.1", "203.0.113.5, evil", trusted)).toThrowError(
      expect.objectContaining({ code: "malformed_header" }),
    );
  });

  it("never throws anything but a WebhookError for garbage headers", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string())).map((hops) => hops.join(",")),
        ),
        (header) => {
          try {
            const client = resolveClientIp("10.0.0.1", header, trusted);
            expect(parseIpAddress(client)).toBe(client);
          } catch (error) {
            expect(isWebhookError(error) && error.code === "malformed_header").toBe(true);
          }
        },
      ),
    );
  });
});
