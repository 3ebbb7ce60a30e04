import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWebhookError } from "../errors/webhook-error.js";
import {
  canonicalDistinguishedName,
  type DistinguishedName,
  type DnAttribute,
  dnAttribute,
  dnAttributeValues,
  formatDistinguishedName,
  parseDistinguishedName,
} from "./distinguished-name.js";
import { LEAF_SUBJECT_AS_NGINX, WEIRD_SUBJECT_AS_NGINX } from "./test-support/certificates.js";

const NGINX = "OU=tenant-42,O=Example,CN=payments-provider";

describe("parseDistinguishedName", () => {
  it("reads RFC 4514 in its own order (most specific first)", () => {
    expect(parseDistinguishedName(NGINX)).toEqual([
      [{ type: "OU", value: "tenant-42" }],
      [{ type: "O", value: "Example" }],
      [{ type: "CN", value: "payments-provider" }],
    ]);
  });

  it("reads OpenSSL's slash form in certificate order and turns it around", () => {
    expect(canonicalDistinguishedName("/CN=payments-provider/O=Example/OU=tenant-42")).toBe(NGINX);
  });

  it("does not read the seed's key as the nginx subject: RDN order is part of a DN", () => {
    const seedKey = "CN=payments-provider,O=Example,OU=tenant-42";
    expect(LEAF_SUBJECT_AS_NGINX).toBe(NGINX);
    expect(canonicalDistinguishedName(seedKey)).not.toBe(canonicalDistinguishedName(LEAF_SUBJECT_AS_NGINX));
  });

  it("treats spellings of one name as equal", () => {
    const spellings = [
      NGINX,
      "ou=tenant-42, o=Example, cn=payments-provider",
      "organizationalUnitName=tenant-42;organizationName=Example;commonName=payments-provider",
      "2.5.4.11=tenant-42,OID.2.5.4.10=Example,2.5.4.3=payments-provider",
      "OU = tenant-42 , O = Example , CN = payments-provider",
      "OU=#0C0974656E616E742D3432,O=#13074578616D706C65,CN=payments-provider",
      "OU=\\74enant-42,O=Example,CN=payments-provider",
      "/CN=payments-provider/O=Example/OU=tenant-42",
      "/commonName=payments-provider/o=Example/ou=tenant-42",
    ];
    for (const spelling of spellings) expect(canonicalDistinguishedName(spelling), spelling).toBe(NGINX);
  });

  it("decodes OpenSSL's escapes byte for byte: UTF-8 pairs, specials, #hex of unknown types, multi-valued RDNs", () => {
    const name = parseDistinguishedName(WEIRD_SUBJECT_AS_NGINX);
    expect(name).toEqual([
      [{ type: "1.3.6.1.4.1.55555.1", value: "ref-7" }],
      [{ type: "emailAddress", value: "jdoe@example.com" }],
      [
        { type: "UID", value: "jdoe" },
        { type: "CN", value: "José" },
      ],
      [{ type: "CN", value: "#not-hex + trailing " }],
      [{ type: "OU", value: "tenant-7" }],
      [{ type: "O", value: 'Exämple, Inc. <"quoted">;x' }],
      [{ type: "DC", value: "example" }],
      [{ type: "DC", value: "com" }],
    ]);
    expect(formatDistinguishedName(name)).toBe(
      '1.3.6.1.4.1.55555.1=ref-7,emailAddress=jdoe@example.com,CN=José+UID=jdoe,CN=\\#not-hex \\+ trailing\\ ,OU=tenant-7,O=Exämple\\, Inc. \\<\\"quoted\\"\\>\\;x,DC=example,DC=com',
    );
    // The multi-valued RDN's members in either order, the UTF-8 unescaped: still the same name.
    expect(
      canonicalDistinguishedName(
        '1.3.6.1.4.1.55555.1=ref-7,E=jdoe@example.com,cn=José+uid=jdoe,CN=\\#not-hex \\+ trailing\\ ,OU=tenant-7,O=Exämple\\, Inc. \\<\\"quoted\\"\\>\\;x,DC=example,DC=com',
      ),
    ).toBe(canonicalDistinguishedName(WEIRD_SUBJECT_AS_NGINX));
  });

  it("keeps values case-sensitive and significant", () => {
    expect(canonicalDistinguishedName("CN=Payments")).not.toBe(canonicalDistinguishedName("CN=payments"));
    expect(canonicalDistinguishedName("CN=a\\ ")).not.toBe(canonicalDistinguishedName("CN=a"));
    expect(canonicalDistinguishedName("CN=a  ")).toBe("CN=a");
  });

  it("keeps values that are not strings as #hex", () => {
    expect(parseDistinguishedName("1.2.3=#0401FF")).toEqual([[{ type: "1.2.3", value: "0401ff", binary: true }]]);
    expect(canonicalDistinguishedName("1.2.3=#0401ff")).toBe("1.2.3=#0401ff");
  });

  it("lists the values of one attribute type, any spelling of the type", () => {
    const name = parseDistinguishedName("OU=a,OU=b,CN=c");
    expect(dnAttributeValues(name, "ou")).toEqual(["a", "b"]);
    expect(dnAttributeValues(name, "2.5.4.3")).toEqual(["c"]);
    expect(dnAttributeValues(name, "O")).toEqual([]);
  });

  it.each([
    ["CN", "missing '='"],
    ["CN=a,", "empty RDN"],
    ["XX=a", "unknown type name"],
    ["CN=a\\", "dangling escape"],
    ["CN=a\\zz", "bad escape"],
    ["CN=\\C3", "escaped bytes that are not UTF-8"],
    ['CN=a"b', "unescaped quote"],
    ["CN=#abc", "odd hex"],
    ["CN=#", "empty hex"],
    ["CN=#0c02zz", "hex then garbage"],
    ["/CN=a/", "trailing slash"],
    ["/CN", "slash form without '='"],
    ["/XX=a", "slash form with an unknown type"],
  ])("refuses %j (%s) with malformed_header", (text) => {
    expect(() => parseDistinguishedName(text)).toThrowError(expect.objectContaining({ code: "malformed_header" }));
  });
});

const attributeType = fc.constantFrom(
  "CN",
  "O",
  "OU",
  "C",
  "L",
  "ST",
  "DC",
  "UID",
  "emailAddress",
  "serialNumber",
  "1.3.6.1.4.1.55555.1",
);
const textValue = fc.string({ unit: "grapheme", maxLength: 12 });
const binaryValue = fc
  .uint8Array({ minLength: 1, maxLength: 8 })
  .map((bytes) => Uint8Array.of(0x04, bytes.length, ...bytes));
const attribute: fc.Arbitrary<DnAttribute> = fc
  .tuple(attributeType, fc.oneof({ weight: 4, arbitrary: textValue }, { weight: 1, arbitrary: binaryValue }))
  .map(([type, value]) => dnAttribute(type, value));
const distinguishedName: fc.Arbitrary<DistinguishedName> = fc.array(
  fc.array(attribute, { minLength: 1, maxLength: 3 }),
  {
    maxLength: 5,
  },
);

/** Another spelling of the same name: other type spellings, spaces, hex escapes, reordered RDN members. */
function respell(name: DistinguishedName, seed: number): string {
  const alias: Record<string, string> = {
    CN: "commonName",
    O: "o",
    OU: "2.5.4.11",
    DC: "domainComponent",
    emailAddress: "E",
  };
  let counter = seed;
  const next = () => (counter = (counter * 1103515245 + 12345) % 2147483648);
  return name
    .map((rdn) =>
      [...rdn]
        .reverse()
        .map((a) => {
          const type = next() % 2 === 0 ? (alias[a.type] ?? a.type) : a.type.toLowerCase();
          if (a.binary) return `${type}=#${a.value.toUpperCase()}`;
          const value = [...new TextEncoder().encode(a.value)]
            .map((byte) => `\\${byte.toString(16).padStart(2, "0")}`)
            .join("");
          return `${type} = ${value}`;
        })
        .join(" + "),
    )
    .join(next() % 2 === 0 ? " , " : ";");
}

describe("properties", () => {
  it("format and parse round trip", () => {
    fc.assert(
      fc.property(distinguishedName, (name) => {
        const text = formatDistinguishedName(name);
        expect(formatDistinguishedName(parseDistinguishedName(text))).toBe(text);
      }),
    );
  });

  it("every spelling of a name has one canonical form", () => {
    fc.assert(
      fc.property(distinguishedName, fc.nat(), (name, seed) => {
        expect(canonicalDistinguishedName(respell(name, seed))).toBe(formatDistinguishedName(name));
      }),
    );
  });

  it("the OpenSSL slash form of a name has the same canonical form", () => {
    const plain = fc.array(
      fc.array(fc.tuple(attributeType, fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 })), {
        minLength: 1,
        maxLength: 2,
      }),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(plain, (rdns) => {
        const escapeSlash = (value: string) => value.replace(/[\\/+=]/g, (char) => `\\${char}`);
        const slash = rdns
          .map((rdn) => `/${rdn.map(([type, value]) => `${type}=${escapeSlash(value)}`).join("+")}`)
          .join("");
        const name = rdns.map((rdn) => rdn.map(([type, value]) => dnAttribute(type, value))).reverse();
        expect(canonicalDistinguishedName(slash)).toBe(formatDistinguishedName(name));
      }),
    );
  });

  it("garbage is a WebhookError or a name, never another exception", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.stringMatching(/^[/A-Za-z0-9=,+;\\#" <>.]{0,40}$/)),
        (text) => {
          try {
            const canonical = formatDistinguishedName(parseDistinguishedName(text));
            expect(canonicalDistinguishedName(canonical)).toBe(canonical);
          } catch (error) {
            expect(isWebhookError(error) && error.code === "malformed_header").toBe(true);
          }
        },
      ),
    );
  });
});

describe("lone surrogates", () => {
  it("never swallow the separator after them", () => {
    const name = parseDistinguishedName("CN=a\uD800,O=x");
    expect(name).toHaveLength(2);
    expect(name[1]).toEqual([{ type: "O", value: "x" }]);
  });
});
