import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, type Name } from "@peculiar/asn1-x509";
import { cryptoBackend } from "#crypto";
import { WebhookError } from "../errors/webhook-error.js";
import { decodeBase64 } from "../lib/base64.js";
import { encodeHex } from "../lib/hex.js";
import { attributeTypeFromOid } from "./attribute-types.js";
import { type DistinguishedName, type DnAttribute, dnAttribute, formatDistinguishedName } from "./distinguished-name.js";

/** What hooksec reads from an X.509 certificate. */
export interface ParsedCertificate {
  /** Subject in canonical RFC 4514 form (as nginx's `$ssl_client_s_dn`, canonicalised). */
  readonly subject: string;
  readonly subjectName: DistinguishedName;
  /** Issuer in canonical RFC 4514 form. */
  readonly issuer: string;
  /** Serial number, lowercase hex. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER certificate, lowercase hex without separators (what a pin compares). */
  readonly fingerprint256: string;
  /** The certificate itself, DER. */
  readonly der: Uint8Array;
}

/** Larger than any sane client certificate; bounds the work hostile input can cause. */
const MAX_CERTIFICATE_CHARS = 64 * 1024;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;

/**
 * Parses one certificate: DER bytes, PEM, or the URL-escaped PEM nginx puts in
 * `$ssl_client_escaped_cert`. Reads subject, issuer, validity and the SHA-256
 * fingerprint; does NOT check the chain (the TLS stack or the proxy does that).
 * Throws `client_certificate_invalid` for anything else.
 *
 * @example
 * const certificate = await parseCertificate(request.headers.get("x-client-cert") ?? "");
 * certificate.subject; // "OU=tenant-42,O=Example,CN=payments-provider"
 */
export async function parseCertificate(input: Uint8Array | string): Promise<ParsedCertificate> {
  const der = typeof input === "string" ? pemToDer(input) : input;
  if (!(der instanceof Uint8Array) || der.length === 0 || der.length > MAX_CERTIFICATE_CHARS) {
    throw new WebhookError("client_certificate_invalid", "no certificate bytes, or too many");
  }
  let certificate: Certificate;
  try {
    certificate = AsnConvert.parse(der, Certificate);
  } catch (cause) {
    throw new WebhookError("client_certificate_invalid", "not a DER X.509 certificate", { cause });
  }
  try {
    const tbs = certificate.tbsCertificate;
    const subjectName = fromAsnName(tbs.subject);
    const notBefore = tbs.validity.notBefore.getTime();
    const notAfter = tbs.validity.notAfter.getTime();
    if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) throw new TypeError("bad validity time");
    const digest = await cryptoBackend.digest("SHA-256", der);
    return {
      subject: formatDistinguishedName(subjectName),
      subjectName,
      issuer: formatDistinguishedName(fromAsnName(tbs.issuer)),
      serialNumber: encodeHex(new Uint8Array(tbs.serialNumber)),
      notBefore,
      notAfter,
      fingerprint256: encodeHex(digest),
      der,
    };
  } catch (cause) {
    throw new WebhookError("client_certificate_invalid", "unreadable certificate fields", { cause });
  }
}

/**
 * Normalises a SHA-256 fingerprint as people write it (`AB:CD:...`, `abcd...`,
 * `sha256:...`) to lowercase hex; `undefined` when it is not 32 bytes of hex.
 */
export function normalizeFingerprint(text: string): string | undefined {
  if (typeof text !== "string") return undefined;
  const hex = text
    .trim()
    .replace(/^sha-?256[:=]/i, "")
    .replace(/[:\s]/g, "")
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

function pemToDer(text: string): Uint8Array {
  if (text.length > MAX_CERTIFICATE_CHARS * 2) throw new WebhookError("client_certificate_invalid", "certificate text too long");
  let pem = text;
  if (text.includes("%")) {
    // nginx's $ssl_client_escaped_cert: the PEM, URL-encoded.
    try {
      pem = decodeURIComponent(text);
    } catch (cause) {
      throw new WebhookError("client_certificate_invalid", "bad URL escape in the certificate", { cause });
    }
  }
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length !== 1 || pem.replace(PEM_BLOCK, "").trim() !== "") {
    throw new WebhookError("client_certificate_invalid", "expected exactly one PEM certificate");
  }
  // PEM allows line breaks anywhere; nginx's older $ssl_client_cert indents lines with tabs.
  const der = decodeBase64((blocks[0]?.[1] ?? "").replace(/[\s]/g, ""));
  if (der === undefined) throw new WebhookError("client_certificate_invalid", "bad base64 in the PEM certificate");
  return der;
}

function fromAsnName(name: Name): DistinguishedName {
  const rdns: DnAttribute[][] = [];
  for (const rdn of name) {
    rdns.push(
      rdn.map((pair) => {
        const type = attributeTypeFromOid(pair.type);
        const value = pair.value;
        const text =
          value.utf8String ??
          value.printableString ??
          value.ia5String ??
          value.teletexString ??
          value.bmpString ??
          value.universalString;
        if (text !== undefined) return dnAttribute(type, text);
        if (value.anyValue !== undefined) return dnAttribute(type, new Uint8Array(value.anyValue));
        throw new TypeError("empty attribute value");
      }),
    );
  }
  // The certificate lists the RDNs from the root down; RFC 4514 from the leaf up.
  return rdns.reverse();
}
