import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWebhookError } from "../errors/webhook-error.js";
import { decodeBase64 } from "../lib/base64.js";
import { normalizeFingerprint, parseCertificate } from "./certificate.js";
import { canonicalAttributeType } from "./attribute-types.js";
import { canonicalDistinguishedName, dnAttributeValues } from "./distinguished-name.js";
import {
  ALL_ATTRIBUTES_PEM,
  ALL_ATTRIBUTES_SUBJECT_AS_NGINX,
  CA_SUBJECT_AS_NGINX,
  LEAF_FINGERPRINT_OPENSSL,
  LEAF_NOT_AFTER,
  LEAF_NOT_BEFORE,
  LEAF_PEM,
  LEAF_SUBJECT_AS_NGINX,
  WEIRD_FINGERPRINT_OPENSSL,
  WEIRD_PEM,
  WEIRD_SUBJECT_AS_NGINX,
} from "./test-support/certificates.js";

const fingerprintHex = (openssl: string) => openssl.replaceAll(":", "").toLowerCase();

function pemToDer(pem: string): Uint8Array {
  const der = decodeBase64(pem.replace(/-----[^-]+-----|\s/g, ""));
  if (der === undefined) throw new Error("fixture is not PEM");
  return der;
}

/** What nginx's `$ssl_client_escaped_cert` does to a PEM (ngx_escape_uri, NGX_ESCAPE_URI_COMPONENT). */
function nginxEscape(pem: string): string {
  return pem.replace(
    /[^A-Za-z0-9\-._~]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

describe("parseCertificate", () => {
  it("reads subject, issuer, validity and SHA-256 fingerprint as openssl does", async () => {
    const certificate = await parseCertificate(LEAF_PEM);
    expect(certificate.subject).toBe(LEAF_SUBJECT_AS_NGINX);
    expect(certificate.issuer).toBe(CA_SUBJECT_AS_NGINX);
    expect(certificate.notBefore.getTime()).toBe(LEAF_NOT_BEFORE.getTime());
    expect(certificate.notAfter.getTime()).toBe(LEAF_NOT_AFTER.getTime());
    expect(certificate.fingerprint256).toBe(fingerprintHex(LEAF_FINGERPRINT_OPENSSL));
    expect(certificate.serialNumber).toMatch(/^[0-9a-f]+$/);
  });

  it("gives the same result for DER, PEM, nginx's escaped PEM and tab-indented PEM", async () => {
    const fromPem = await parseCertificate(LEAF_PEM);
    const inputs = [
      pemToDer(LEAF_PEM),
      nginxEscape(LEAF_PEM),
      LEAF_PEM.replaceAll("\n", "\n\t"),
      LEAF_PEM.replaceAll("\n", "\r\n"),
    ];
    for (const input of inputs) {
      const parsed = await parseCertificate(input);
      expect(parsed.subject).toBe(fromPem.subject);
      expect(parsed.fingerprint256).toBe(fromPem.fingerprint256);
    }
  });

  it("canonicalises an awkward subject to what nginx sends (UTF-8, escapes, multi-valued RDN, unknown OID)", async () => {
    const certificate = await parseCertificate(WEIRD_PEM);
    expect(certificate.subject).toBe(canonicalDistinguishedName(WEIRD_SUBJECT_AS_NGINX));
    expect(certificate.fingerprint256).toBe(fingerprintHex(WEIRD_FINGERPRINT_OPENSSL));
  });

  it("knows every attribute type OpenSSL names, as nginx prints it (postalCode, businessCategory, jurisdictionC...)", async () => {
    const certificate = await parseCertificate(ALL_ATTRIBUTES_PEM);
    expect(certificate.subject).toBe(canonicalDistinguishedName(ALL_ATTRIBUTES_SUBJECT_AS_NGINX));
    const printed = ALL_ATTRIBUTES_SUBJECT_AS_NGINX.split(",").map((pair) => pair.slice(0, pair.indexOf("=")));
    expect(printed).toHaveLength(46);
    for (const name of printed) {
      expect(canonicalAttributeType(name)).toBe(name);
      expect(dnAttributeValues(certificate.subjectName, name)).toHaveLength(1);
    }
    expect(certificate.subject).not.toMatch(/(^|,)[0-9.]+=#/); // no type fell back to a hex-valued OID
    expect(dnAttributeValues(certificate.subjectName, "postalCode")).toEqual(["10115"]);
    expect(dnAttributeValues(certificate.subjectName, "2.5.4.17")).toEqual(["10115"]);
    expect(dnAttributeValues(certificate.subjectName, "jurisdictionCountryName")).toEqual(["DE"]);
  });

  it.each([
    ["empty", ""],
    ["not PEM", "hello"],
    ["bad base64", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----"],
    ["two certificates", `${LEAF_PEM}${LEAF_PEM}`],
    ["text around it", `junk${LEAF_PEM}`],
    ["bad URL escape", "%E0%A4%A"],
    ["a truncated certificate", LEAF_PEM.slice(0, 200) + LEAF_PEM.slice(-30)],
  ])("refuses %s with client_certificate_invalid", async (_label, input) => {
    await expect(parseCertificate(input)).rejects.toMatchObject({ code: "client_certificate_invalid" });
  });

  it("refuses DER garbage and truncations with client_certificate_invalid, never another error", async () => {
    const der = pemToDer(LEAF_PEM);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc.integer({ min: 0, max: der.length - 1 }).map((end) => der.subarray(0, end)),
          fc.tuple(fc.integer({ min: 0, max: der.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
            const copy = der.slice();
            copy[at] = (copy[at] as number) ^ xor;
            return copy;
          }),
        ),
        async (bytes) => {
          try {
            const parsed = await parseCertificate(bytes);
            // A flipped byte can still be a well-formed certificate: then it is a different one.
            expect(parsed.fingerprint256).not.toBe(fingerprintHex(LEAF_FINGERPRINT_OPENSSL));
          } catch (error) {
            expect(isWebhookError(error) && error.code === "client_certificate_invalid").toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("normalizeFingerprint", () => {
  it("accepts the spellings people copy", () => {
    const hex = fingerprintHex(LEAF_FINGERPRINT_OPENSSL);
    for (const spelling of [
      LEAF_FINGERPRINT_OPENSSL,
      hex,
      hex.toUpperCase(),
      `sha256:${hex}`,
      `SHA256=${LEAF_FINGERPRINT_OPENSSL}`,
    ]) {
      expect(normalizeFingerprint(spelling)).toBe(hex);
    }
  });

  it("refuses what is not 32 bytes of hex", () => {
    expect(normalizeFingerprint("ab:cd")).toBeUndefined();
    expect(normalizeFingerprint(`${fingerprintHex(LEAF_FINGERPRINT_OPENSSL)}00`)).toBeUndefined();
    expect(normalizeFingerprint("z".repeat(64))).toBeUndefined();
  });
});
