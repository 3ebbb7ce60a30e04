import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../test-support/outcome.js";
import { addressBucket } from "./ip.js";
import { createRateLimit, type RateLimiter } from "./rate-limit.js";

/** A limiter that records the keys it was asked to count. */
function recordingLimiter(): RateLimiter & { keys: string[] } {
  const keys: string[] = [];
  return { keys, consume: async (key) => void keys.push(key) };
}

const hex16 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv6 = fc.array(hex16, { minLength: 8, maxLength: 8 }).map((groups) => groups.join(":"));

describe("per-IP rate limiting", () => {
  it("limits 1000 addresses of one IPv6 /64 together", async () => {
    const consume = createRateLimit({ points: 100, durationSeconds: 60 });
    const codes: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const address = `2001:db8:1:2:${(i * 7919).toString(16).slice(-4)}:${i.toString(16)}:beef:${(i % 97).toString(16)}`;
      codes.push(await codeOf(consume(`ip:${address}`)));
    }
    expect(codes.filter((code) => code === "accepted")).toHaveLength(100);
    expect(codes.slice(100).every((code) => code === "rate_limited")).toBe(true);
    // Another /64 has its own budget.
    expect(await codeOf(consume("ip:2001:db8:1:3::1"))).toBe("accepted");
  });

  it("counts an address's /64 whatever its spelling, IPv4 addresses alone (property)", async () => {
    await fc.assert(
      fc.asyncProperty(ipv6, ipv6, async (a, b) => {
        const limiter = recordingLimiter();
        const consume = createRateLimit({ limiter });
        await consume(`ip:${a}`);
        await consume(`ip:[${b.toUpperCase()}]:443`);
        const sameNetwork =
          a
            .split(":")
            .slice(0, 4)
            .map((g) => Number.parseInt(g, 16))
            .join() ===
          b
            .split(":")
            .slice(0, 4)
            .map((g) => Number.parseInt(g, 16))
            .join();
        expect(limiter.keys[0] === limiter.keys[1]).toBe(sameNetwork);
        expect(limiter.keys[0]).toMatch(/^ip:[0-9a-f:]+\/64$/);
      }),
      { numRuns: 200 },
    );
    const limiter = recordingLimiter();
    const consume = createRateLimit({ limiter });
    for (const key of ["ip:198.51.100.1", "ip:198.51.100.2", "tenant:acme", "ip:::ffff:198.51.100.1"])
      await consume(key);
    expect(limiter.keys).toEqual(["ip:198.51.100.1", "ip:198.51.100.2", "tenant:acme", "ip:198.51.100.1"]);
  });

  it("takes the prefix from rateLimit.ipv6Prefix; 128 counts each address alone", async () => {
    const wide = recordingLimiter();
    await createRateLimit({ limiter: wide, ipv6Prefix: 48 })("ip:2001:db8:1:2::1");
    expect(wide.keys).toEqual(["ip:2001:db8:1::/48"]);
    const each = recordingLimiter();
    await createRateLimit({ limiter: each, ipv6Prefix: 128 })("ip:2001:db8:1:2::1");
    expect(each.keys).toEqual(["ip:2001:db8:1:2::1"]);
    expect(addressBucket("2001:db8:1:2:ffff:ffff:ffff:ffff", 56)).toBe("2001:db8:1::/56");
    expect(addressBucket("2001:db8:1:ff:1::", 57)).toBe("2001:db8:1:80::/57");
  });

  it.each([0, 129, 64.5, Number.NaN, "64"])("refuses ipv6Prefix %j with invalid_options", (ipv6Prefix) => {
    expect(() => createRateLimit({ ipv6Prefix: ipv6Prefix as number })).toThrowError(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });
});
