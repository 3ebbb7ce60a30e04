import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { decodeHex, encodeHex } from "./hex.js";
import { utf8 } from "./utf8.js";

// Reference: btoa/atob over a binary string, available on every runtime the core supports.
const referenceBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe("base64", () => {
  it("encodes like the platform and decodes its own output", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(referenceBase64(bytes));
        expect(Array.from(decodeBase64(text) ?? [])).toEqual(Array.from(bytes));
      }),
    );
  });

  it("returns undefined for anything that is not padded standard base64, never throws", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const decoded = decodeBase64(text);
        const wellFormed = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text);
        const canonical = wellFormed && referenceBase64(Uint8Array.from(atob(text), (c) => c.charCodeAt(0))) === text;
        expect(decoded !== undefined).toBe(canonical);
      }),
    );
    expect(decodeBase64("YR==")).toBeUndefined(); // non-zero bits under the padding
    expect(decodeBase64("YWJk")).toEqual(new Uint8Array([0x61, 0x62, 0x64]));
    for (const bad of ["YWJj\n", " YWJj", "YW=j", "YWJ", "YQ", "YQ===", "Y===", "YWJj-_", "ＡＢＣＤ"]) {
      expect(decodeBase64(bad)).toBeUndefined();
    }
  });
});

describe("hex", () => {
  it("round-trips and refuses non-hex", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(Array.from(decodeHex(encodeHex(bytes)) ?? [])).toEqual(Array.from(bytes));
        expect(Array.from(decodeHex(encodeHex(bytes).toUpperCase()) ?? [])).toEqual(Array.from(bytes));
      }),
    );
    for (const bad of ["a", "zz", "0g", "+1", " 0"]) expect(decodeHex(bad)).toBeUndefined();
  });

  it("accepts exactly the 22 hex digits in either position, refusing every other code unit (Unicode included)", () => {
    const digits = "0123456789abcdefABCDEF";
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), (char) => {
        const expected = digits.includes(char) ? Number.parseInt(char, 16) : undefined;
        expect(decodeHex(`${char}0`)?.[0]).toBe(expected === undefined ? undefined : expected << 4);
        expect(decodeHex(`0${char}`)?.[0]).toBe(expected);
      }),
    );
  });
});

describe("utf8", () => {
  const encoder = new TextEncoder();

  it("encodes any string like TextEncoder, short or long, ASCII or not (lone surrogates included)", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 80 }),
      fc.string({ maxLength: 80 }),
      fc.string({ unit: fc.constantFrom("a", "\u00e9", "\ud800", "\u{1f600}"), maxLength: 70 }),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(Array.from(utf8(value))).toEqual(Array.from(encoder.encode(value)));
      }),
    );
    expect(utf8("")).toEqual(new Uint8Array(0));
    expect(utf8("v0:")).toEqual(new Uint8Array([0x76, 0x30, 0x3a]));
  });
});
