import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWebhookError } from "../../errors/webhook-error.js";
import { createAddressGuard } from "./address-guard.js";
import { type AddressCategory, classifyAddress } from "./classify-address.js";
import { parseEndpointUrl } from "./endpoint-url.js";

// An independent reference for IPv4: plain integer ranges, no ipaddr.js.
const IPV4_REFUSED: readonly [number, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 3], // multicast 224/4 and reserved 240/4 (with broadcast)
].map(([dotted, bits]) => [toInt(dotted as string), bits as number]);

function toInt(dotted: string): number {
  return dotted.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function referenceRefused(n: number): boolean {
  return IPV4_REFUSED.some(
    ([network, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(network / 2 ** (32 - bits)),
  );
}

const octets = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** Every way the WHATWG URL parser (and inet_aton) accepts to write one IPv4 address. */
function ipv4Forms(n: number): string[] {
  const [a, b, c, d] = octets(n) as [number, number, number, number];
  return [
    `${a}.${b}.${c}.${d}`,
    `${n}`,
    `0x${n.toString(16)}`,
    `0${n.toString(8)}`,
    `0${a.toString(8)}.0${b.toString(8)}.0${c.toString(8)}.0${d.toString(8)}`,
    `0x${a.toString(16)}.0x${b.toString(16)}.0x${c.toString(16)}.0x${d.toString(16)}`,
    `${a}.${(n & 0xffffff) >>> 0}`,
    `0x${a.toString(16)}.0${b.toString(8)}.${(c << 8) | d}`,
  ];
}

function hostnameOf(form: string): string {
  return new URL(`https://${form}/`).hostname;
}

describe("classifyAddress", () => {
  it.each<[string, AddressCategory]>([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["2001:db8::1", "documentation"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["100.100.100.200", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:10.0.0.1", "private"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::7f00:1", "loopback"],
    ["64:ff9b:1::1", "private"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:a9fe:a9fe::1", "metadata"],
    ["2001::1", "teredo"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"],
    ["::7f00:1", "reserved"],
    ["100::1", "reserved"],
    ["fec0::1", "private"],
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["172.32.0.1", "public"],
    ["100.128.0.1", "public"],
    ["2606:4700:4700::1111", "public"],
    ["::ffff:8.8.8.8", "public"],
    ["64:ff9b::8.8.8.8", "public"],
    ["2002:808:808::1", "public"],
  ])("%s is %s", (address, category) => {
    expect(classifyAddress(address)?.category).toBe(category);
  });

  it("returns undefined for host names", () => {
    expect(classifyAddress("example.com")).toBeUndefined();
    expect(classifyAddress("localhost")).toBeUndefined();
    expect(classifyAddress("1.2.3.4.5")).toBeUndefined();
    expect(classifyAddress("")).toBeUndefined();
  });

  it("sees through the IPv4 forms of http://2130706433/, 0x7f.1 and 0177.0.0.1", () => {
    for (const form of ["2130706433", "0x7f.1", "0177.0.0.1", "0x7f000001", "127.1", "017700000001"]) {
      expect(hostnameOf(form)).toBe("127.0.0.1");
      expect(classifyAddress(hostnameOf(form))?.category).toBe("loopback");
      expect(classifyAddress(form)?.category).toBe("loopback");
    }
  });

  it("classifies every written form of an IPv4 address as the integer reference does", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (n) => {
        const refused = referenceRefused(n);
        for (const form of ipv4Forms(n)) {
          const viaUrl = classifyAddress(hostnameOf(form));
          expect(viaUrl?.address).toBe(octets(n).join("."));
          expect(viaUrl?.category !== "public").toBe(refused);
          expect(classifyAddress(form)?.category !== "public").toBe(refused);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("judges IPv4-mapped, NAT64 and 6to4 addresses by the IPv4 address inside", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (n) => {
        const [a, b, c, d] = octets(n) as [number, number, number, number];
        const high = ((a << 8) | b).toString(16);
        const low = ((c << 8) | d).toString(16);
        const inner = classifyAddress(`${a}.${b}.${c}.${d}`)?.category;
        for (const form of [
          `::ffff:${a}.${b}.${c}.${d}`,
          `::ffff:${high}:${low}`,
          `0:0:0:0:0:ffff:${high}:${low}`,
          `64:ff9b::${a}.${b}.${c}.${d}`,
          `2002:${high}:${low}::1`,
        ]) {
          expect(classifyAddress(form)?.category).toBe(inner);
          expect(classifyAddress(hostnameOf(`[${form}]`))?.category).toBe(inner);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("classifies compressed, expanded, padded and uppercase IPv6 forms alike", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 0xffff }), { minLength: 8, maxLength: 8 }),
        fc.nat({ max: 7 }),
        (words, zeroRun) => {
          // Force a run of zeros sometimes, so "::" compression is exercised.
          const parts = words.map((w, i) => (i >= zeroRun && i < zeroRun + 3 ? 0 : w));
          const expanded = parts.map((w) => w.toString(16).padStart(4, "0")).join(":");
          const plain = parts.map((w) => w.toString(16)).join(":");
          const canonical = classifyAddress(expanded);
          expect(canonical).toBeDefined();
          for (const form of [
            plain,
            expanded.toUpperCase(),
            hostnameOf(`[${expanded}]`),
            hostnameOf(`[${plain.toUpperCase()}]`),
          ]) {
            expect(classifyAddress(form)).toEqual(canonical);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("createAddressGuard", () => {
  it("refuses non-public addresses with ssrf_blocked and lets allowCidrs opt ranges back in", () => {
    const guard = createAddressGuard();
    expect(() => guard.check("127.0.0.1")).toThrow(expect.objectContaining({ code: "ssrf_blocked" }));
    expect(guard.check("8.8.8.8").category).toBe("public");
    const allowing = createAddressGuard({ allowCidrs: ["127.0.0.0/8", "fd00::/8"] });
    expect(allowing.check("127.0.0.1").category).toBe("loopback");
    expect(allowing.check("::ffff:127.0.0.1").embeddedIPv4).toBe("127.0.0.1");
    expect(allowing.check("fd00:ec2::254").category).toBe("metadata");
    expect(() => allowing.check("10.0.0.1")).toThrow(expect.objectContaining({ code: "ssrf_blocked" }));
    expect(() => allowing.check("::1")).toThrow(expect.objectContaining({ code: "ssrf_blocked" }));
  });

  it("refuses a name where an address is expected", () => {
    expect(() => createAddressGuard().check("example.com")).toThrow(expect.objectContaining({ code: "ssrf_blocked" }));
  });

  it("refuses a malformed allowCidrs entry with invalid_options", () => {
    expect(() => createAddressGuard({ allowCidrs: ["127.0.0.1"] })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => createAddressGuard({ allowCidrs: ["nope/8"] })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });

  it("never lets a garbage string through, and fails only with a WebhookError", () => {
    const guard = createAddressGuard();
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const result = guard.check(text);
          expect(result.category).toBe("public");
        } catch (error) {
          expect(isWebhookError(error) && error.code === "ssrf_blocked").toBe(true);
        }
      }),
    );
  });
});

describe("parseEndpointUrl", () => {
  const guard = createAddressGuard();

  it.each([
    ["http://example.com/hook", "invalid_endpoint"],
    ["ftp://example.com/hook", "invalid_endpoint"],
    ["not a url", "invalid_endpoint"],
    ["https://user:pass@example.com/", "invalid_endpoint"],
    ["https://127.0.0.1/", "ssrf_blocked"],
    ["https://2130706433/", "ssrf_blocked"],
    ["https://0x7f.1/", "ssrf_blocked"],
    ["https://0177.0.0.1/", "ssrf_blocked"],
    ["https://[::1]/", "ssrf_blocked"],
    ["https://[::ffff:7f00:1]/", "ssrf_blocked"],
    ["https://169.254.169.254/latest/meta-data/", "ssrf_blocked"],
    ["https://[fd00:ec2::254]/", "ssrf_blocked"],
    ["https://100.100.100.200/", "ssrf_blocked"],
  ])("%s is refused with %s", (url, code) => {
    expect(() => parseEndpointUrl(url, guard)).toThrow(expect.objectContaining({ code }));
  });

  it("accepts https to a public address or a name, and http only when allowed", () => {
    expect(parseEndpointUrl("https://8.8.8.8/x", guard).hostname).toBe("8.8.8.8");
    expect(parseEndpointUrl("https://hooks.example.com/x", guard).hostname).toBe("hooks.example.com");
    const local = createAddressGuard({ allowHttp: true, allowCidrs: ["127.0.0.0/8"] });
    expect(parseEndpointUrl("http://127.0.0.1:8080/x", local).port).toBe("8080");
  });
});
