import { cryptoBackend } from "#crypto";
import { describe, expect, inject, it } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    cryptoBackend: "node" | "web";
  }
}

describe("crypto backend", () => {
  it("is the one this test project selects by export condition", () => {
    expect(cryptoBackend.name).toBe(inject("cryptoBackend"));
  });

  it("computes the same HMAC as the RFC 4231 test case 2", async () => {
    const key = await cryptoBackend.importHmacKey(new TextEncoder().encode("Jefe"), "SHA-256");
    const mac = await cryptoBackend.hmac(key, [
      new TextEncoder().encode("what do ya want "),
      new TextEncoder().encode("for nothing?"),
    ]);
    expect(Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("compares equal and unequal bytes", () => {
    expect(cryptoBackend.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(cryptoBackend.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(cryptoBackend.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1]))).toBe(false);
  });
});
