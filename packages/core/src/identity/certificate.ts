import * as asn1js from "asn1js";
import { cryptoBackend } from "#crypto";
import { WebhookError } from "../errors/webhook-error.js";
import { decodeBase64 } from "../lib/base64.js";
import { encodeHex } from "../lib/hex.js";
import { attributeTypeFromOid } from "./attribute-types.js";
import { BoundedCache } from "./bounded-cache.js";
import {
  type DistinguishedName,
  type DnAttribute,
  dnAttribute,
  formatDistinguishedName,
} from "./distinguished-name.js";

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
  let fields: CertificateFields;
  try {
    fields = readCertificate(der);
  } catch (cause) {
    throw new WebhookError("client_certificate_invalid", "not a DER X.509 certificate", { cause });
  }
  const digest = await cryptoBackend.digest("SHA-256", der);
  return {
    subject: formatDistinguishedName(fields.subject),
    subjectName: fields.subject,
    issuer: formatDistinguishedName(fields.issuer),
    serialNumber: fields.serialNumber,
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    fingerprint256: encodeHex(digest),
    der,
  };
}

/** Parses like `parseCertificate`, remembering the last `maxEntries` certificates by their exact input. */
export function createCertificateParser(maxEntries = 256): (input: Uint8Array | string) => Promise<ParsedCertificate> {
  const cache = new BoundedCache<ParsedCertificate>(maxEntries, 32 * 1024);
  return async (input) => {
    const key =
      typeof input === "string"
        ? `s${input}`
        : input instanceof Uint8Array && input.length <= 16 * 1024
          ? `b${latin1(input)}`
          : undefined;
    const cached = key === undefined ? undefined : cache.get(key);
    if (cached !== undefined) return cached;
    const parsed = await parseCertificate(input);
    // Shared by every request that presents this certificate: nobody may change it.
    for (const rdn of parsed.subjectName) for (const attribute of rdn) Object.freeze(attribute);
    for (const rdn of parsed.subjectName) Object.freeze(rdn);
    Object.freeze(parsed.subjectName);
    if (key !== undefined) cache.set(key, Object.freeze(parsed));
    return parsed;
  };
}

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return out;
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
  if (text.length > MAX_CERTIFICATE_CHARS * 2)
    throw new WebhookError("client_certificate_invalid", "certificate text too long");
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

interface CertificateFields {
  readonly serialNumber: string;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

// RFC 5280 §4.1, read with asn1js's BER parser and walked by tag numbers only:
// class checks (`instanceof`, constructor identity) are what break in the edge
// runtime's VM, where intrinsics such as `Array` are wrapped.
const UNIVERSAL = 1;
const CONTEXT = 3;
const INTEGER = 2;
const OBJECT_IDENTIFIER = 6;
const SEQUENCE = 16;
const SET = 17;
const UTC_TIME = 23;
const GENERALIZED_TIME = 24;

type Element = asn1js.AsnType;

function readCertificate(der: Uint8Array): CertificateFields {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset !== der.byteLength || parsed.result.error) throw new TypeError("not one BER element");
  const certificate = children(parsed.result, SEQUENCE);
  const items = children(certificate[0], SEQUENCE);
  let at = 0;
  if (items[0]?.idBlock.tagClass === CONTEXT && items[0].idBlock.tagNumber === 0) at = 1; // version
  const serial = expect(items[at], INTEGER) as asn1js.Integer;
  const validity = children(items[at + 3], SEQUENCE);
  return {
    serialNumber: encodeHex(serial.valueBlock.valueHexView),
    issuer: readName(items[at + 2]),
    notBefore: readTime(validity[0]),
    notAfter: readTime(validity[1]),
    subject: readName(items[at + 4]),
  };
}

function readName(element: Element | undefined): DistinguishedName {
  const rdns: DnAttribute[][] = children(element, SEQUENCE).map((set) =>
    children(set, SET).map((pair) => {
      const [oid, value] = children(pair, SEQUENCE);
      const type = attributeTypeFromOid((expect(oid, OBJECT_IDENTIFIER) as asn1js.ObjectIdentifier).getValue());
      if (value === undefined) throw new TypeError("attribute without a value");
      return dnAttribute(type, new Uint8Array(value.toBER(false)));
    }),
  );
  if (rdns.some((rdn) => rdn.length === 0)) throw new TypeError("empty RDN");
  // The certificate lists the RDNs from the root down; RFC 4514 from the leaf up.
  return rdns.reverse();
}

function readTime(element: Element | undefined): Date {
  const tag = element?.idBlock.tagNumber;
  if (element?.idBlock.tagClass !== UNIVERSAL || (tag !== UTC_TIME && tag !== GENERALIZED_TIME))
    throw new TypeError("not a time");
  const date = (element as asn1js.UTCTime).toDate();
  if (Number.isNaN(date.getTime())) throw new TypeError("bad time");
  return date;
}

function expect(element: Element | undefined, tagNumber: number): Element {
  if (element === undefined || element.idBlock.tagClass !== UNIVERSAL || element.idBlock.tagNumber !== tagNumber) {
    throw new TypeError(`expected universal tag ${tagNumber}`);
  }
  return element;
}

function children(element: Element | undefined, tagNumber: number): Element[] {
  const value = (expect(element, tagNumber).valueBlock as { value?: unknown }).value;
  if (!Array.isArray(value)) throw new TypeError(`tag ${tagNumber} is not constructed`);
  return value as Element[];
}
