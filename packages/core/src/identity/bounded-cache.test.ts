import { describe, expect, it } from "vitest";
import { BoundedCache } from "./bounded-cache.js";
import { createCertificateParser } from "./certificate.js";
import { LEAF_PEM } from "./test-support/certificates.js";

describe("BoundedCache", () => {
  it("keeps the most recently used entries up to its size", () => {
    const cache = new BoundedCache<number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // a is now the most recent
    cache.set("c", 3); // evicts b
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
  });

  it("does not keep keys over the length limit, nor values whose computation threw", () => {
    const cache = new BoundedCache<number>(4, 3);
    expect(cache.getOrCompute("long-key", () => 1)).toBe(1);
    expect(cache.get("long-key")).toBeUndefined();
    expect(() =>
      cache.getOrCompute("k", () => {
        throw new Error("no");
      }),
    ).toThrow("no");
    expect(cache.getOrCompute("k", () => 2)).toBe(2);
  });
});

describe("createCertificateParser", () => {
  it("parses a certificate once and hands out a frozen result", async () => {
    const parse = createCertificateParser(4);
    const first = await parse(LEAF_PEM);
    expect(await parse(LEAF_PEM)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.subjectName)).toBe(true);
    expect(Object.isFrozen(first.subjectName[0]?.[0])).toBe(true);
  });

  it("does not remember refusals", async () => {
    const parse = createCertificateParser(4);
    await expect(parse("garbage")).rejects.toMatchObject({ code: "client_certificate_invalid" });
    await expect(parse("garbage")).rejects.toMatchObject({ code: "client_certificate_invalid" });
  });
});
