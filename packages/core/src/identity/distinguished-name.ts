import { WebhookError } from "../errors/webhook-error.js";
import { decodeHex, encodeHex } from "../lib/hex.js";
import { canonicalAttributeType } from "./attribute-types.js";
import { decodeDerString } from "./der-string.js";

/** One `type=value` of a distinguished name. */
export interface DnAttribute {
  /** Canonical type: the short name OpenSSL prints (`CN`, `OU`, `emailAddress`) or a dotted OID. */
  readonly type: string;
  /** The value as text; for a value that is not a string, its DER in lowercase hex (see `binary`). */
  readonly value: string;
  /** `true` when `value` is hex DER (written `#...`), not text. */
  readonly binary?: boolean;
}

/** One RDN: usually one attribute, several for a multi-valued RDN (`CN=a+UID=b`). */
export type RelativeDistinguishedName = readonly DnAttribute[];

/**
 * A distinguished name in RFC 4514 order: the most specific RDN first
 * (`CN=...` before `O=...` for the usual certificate), which is the reverse of
 * the order inside the certificate and of OpenSSL's `/O=.../CN=...` form.
 */
export type DistinguishedName = readonly RelativeDistinguishedName[];

/** `rfc4514` (also RFC 2253, what nginx's `$ssl_client_s_dn` sends) or OpenSSL's `/CN=a/O=b` (certificate order). */
export type DnFormat = "rfc4514" | "openssl";

const MAX_DN_LENGTH = 16 * 1024;
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * Parses a distinguished name. Without `format`, a name starting with `/` is
 * read as OpenSSL's slash form, anything else as RFC 4514. Attribute types are
 * case-insensitive (`cn`, `commonName`, `2.5.4.3` are `CN`); values keep their case.
 * Throws `malformed_header` for anything that is not a DN.
 *
 * @example
 * parseDistinguishedName("OU=tenant-42,O=Example,CN=payments-provider")
 * // [[{ type: "OU", value: "tenant-42" }], [{ type: "O", value: "Example" }], [{ type: "CN", value: "payments-provider" }]]
 */
export function parseDistinguishedName(text: string, format?: DnFormat): DistinguishedName {
  if (typeof text !== "string") throw new WebhookError("malformed_header", "a distinguished name must be a string");
  if (text.length > MAX_DN_LENGTH) throw new WebhookError("malformed_header", "distinguished name too long");
  const slashForm = format === "openssl" || (format === undefined && text.startsWith("/"));
  const result = slashForm ? parseSlashForm(text) : parseRfc4514(text);
  if (typeof result === "string") throw new WebhookError("malformed_header", `not a distinguished name: ${result}`);
  return result;
}

/**
 * Formats a DN in canonical RFC 4514 form: canonical type names, no spaces
 * around separators, minimal escaping (UTF-8 kept as is), the attributes of a
 * multi-valued RDN sorted. Two spellings of one name give the same string.
 *
 * @example
 * formatDistinguishedName(parseDistinguishedName("/CN=payments-provider/O=Example/OU=tenant-42"))
 * // "OU=tenant-42,O=Example,CN=payments-provider"
 */
export function formatDistinguishedName(name: DistinguishedName): string {
  return name.map((rdn) => canonicalRdn(rdn).map(formatAttribute).join("+")).join(",");
}

/**
 * The canonical RFC 4514 string of a DN written in any supported spelling.
 *
 * @example
 * canonicalDistinguishedName("ou = tenant-42; o=Example, commonName=payments-provider")
 * // "OU=tenant-42,O=Example,CN=payments-provider"
 */
export function canonicalDistinguishedName(text: string, format?: DnFormat): string {
  return formatDistinguishedName(parseDistinguishedName(text, format));
}

/** The text values of one attribute type in a DN (`"OU"`, `"ou"` and `"2.5.4.11"` are the same). */
export function dnAttributeValues(name: DistinguishedName, type: string): string[] {
  const wanted = canonicalAttributeType(type);
  const values: string[] = [];
  for (const rdn of name)
    for (const attribute of rdn) if (attribute.type === wanted && !attribute.binary) values.push(attribute.value);
  return values;
}

/** Builds one attribute, turning a `#hex` DER string into its text so both spellings are equal. */
export function dnAttribute(type: string, value: string | Uint8Array): DnAttribute {
  if (typeof value === "string") return { type, value };
  const text = decodeDerString(value);
  return text === undefined ? { type, value: encodeHex(value), binary: true } : { type, value: text };
}

function canonicalRdn(rdn: RelativeDistinguishedName): DnAttribute[] {
  if (rdn.length < 2) return [...rdn];
  return [...rdn].sort((a, b) => {
    const left = formatAttribute(a);
    const right = formatAttribute(b);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

function formatAttribute(attribute: DnAttribute): string {
  return `${attribute.type}=${attribute.binary ? `#${attribute.value}` : escapeValue(attribute.value)}`;
}

/** RFC 4514 §2.4: escape `"+,;<>\` and NUL anywhere, `#` and space at the start, space at the end. */
function escapeValue(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const char = value.charAt(i);
    if (char === "\u0000") out += "\\00";
    else if ('"+,;<>\\'.includes(char)) out += `\\${char}`;
    else if (i === 0 && (char === "#" || char === " ")) out += `\\${char}`;
    else if (i === value.length - 1 && char === " ") out += "\\ ";
    else out += char;
  }
  return out;
}

// ---- RFC 4514 / RFC 2253 -------------------------------------------------
// Lenient where spellings differ harmlessly (spaces around separators, `;` as
// in RFC 2253, any case of type names), strict where meaning could change.

function parseRfc4514(text: string): DistinguishedName | string {
  const rdns: DnAttribute[][] = [];
  let position = skipSpaces(text, 0);
  if (position === text.length) return rdns;
  let rdn: DnAttribute[] = [];
  for (;;) {
    const attribute = readAttribute(text, position);
    if (typeof attribute === "string") return attribute;
    rdn.push(attribute.attribute);
    position = skipSpaces(text, attribute.end);
    if (position === text.length) break;
    const separator = text.charAt(position);
    position = skipSpaces(text, position + 1);
    if (separator === "+") continue;
    if (separator !== "," && separator !== ";") return `unexpected ${JSON.stringify(separator)} at ${position}`;
    rdns.push(rdn);
    rdn = [];
  }
  rdns.push(rdn);
  return rdns;
}

function readAttribute(text: string, start: number): { attribute: DnAttribute; end: number } | string {
  const equals = text.indexOf("=", start);
  if (equals < 0) return "missing '='";
  const written = text.slice(start, equals).trim();
  const type = canonicalAttributeType(written);
  if (type === undefined) return `unknown attribute type ${JSON.stringify(written.slice(0, 64))}`;
  const valueStart = skipSpaces(text, equals + 1);
  if (text.charAt(valueStart) === "#") return readHexValue(text, type, valueStart + 1);
  return readStringValue(text, type, valueStart);
}

function readHexValue(text: string, type: string, start: number): { attribute: DnAttribute; end: number } | string {
  let end = start;
  while (end < text.length && isHexDigit(text.charCodeAt(end))) end++;
  const der = decodeHex(text.slice(start, end));
  if (der === undefined || der.length === 0) return "a '#' value needs an even number of hex digits";
  return { attribute: dnAttribute(type, der), end };
}

function readStringValue(text: string, type: string, start: number): { attribute: DnAttribute; end: number } | string {
  const bytes: number[] = [];
  // Length of `bytes` up to the last character that was escaped: spaces after it are significant.
  let significant = 0;
  let position = start;
  while (position < text.length) {
    const char = text.charAt(position);
    if (char === "," || char === "+" || char === ";") break;
    if (char === "\\") {
      const next = text.charAt(position + 1);
      const pair = text.slice(position + 1, position + 3);
      if (/^[0-9a-fA-F]{2}$/.test(pair)) {
        bytes.push(Number.parseInt(pair, 16));
        position += 3;
      } else if (next !== "" && ' "#+,;<=>\\'.includes(next)) {
        bytes.push(next.charCodeAt(0));
        position += 2;
      } else {
        return `bad escape at ${position}`;
      }
      significant = bytes.length;
      continue;
    }
    if (char === '"' || char === "<" || char === ">" || char === "\u0000")
      return `unescaped ${JSON.stringify(char)} at ${position}`;
    const code = text.charCodeAt(position);
    let width = 1;
    if (code < 0x80) bytes.push(code);
    else {
      const next = text.charCodeAt(position + 1); // NaN past the end
      width = code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
      for (const byte of utf8Encoder.encode(text.slice(position, position + width))) bytes.push(byte);
    }
    if (char !== " ") significant = bytes.length;
    position += width;
  }
  let value: string;
  try {
    // Unescaped trailing spaces are not part of the value (RFC 4514 requires them escaped).
    value = utf8Decoder.decode(Uint8Array.from(bytes.slice(0, significant)));
  } catch {
    return "escaped bytes are not UTF-8";
  }
  return { attribute: { type, value }, end: position };
}

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

function skipSpaces(text: string, position: number): number {
  let at = position;
  while (text.charAt(at) === " ") at++;
  return at;
}

// ---- OpenSSL `/type=value/type=value` (certificate order) ----------------
// As `openssl req -subj` reads it: `\` escapes the next character, `+` joins a
// multi-valued RDN.

function parseSlashForm(text: string): DistinguishedName | string {
  if (!text.startsWith("/")) return "the OpenSSL form starts with '/'";
  const rdns: DnAttribute[][] = [];
  let rdn: DnAttribute[] = [];
  let written = "";
  let value = "";
  let inValue = false;
  const finishAttribute = (): string | undefined => {
    if (!inValue) return `missing '=' after ${JSON.stringify(written.slice(0, 64))}`;
    const type = canonicalAttributeType(written.trim());
    if (type === undefined) return `unknown attribute type ${JSON.stringify(written.trim().slice(0, 64))}`;
    rdn.push({ type, value });
    written = "";
    value = "";
    inValue = false;
    return undefined;
  };
  for (let position = 1; position < text.length; position++) {
    const char = text.charAt(position);
    if (char === "\\") {
      position++;
      if (position >= text.length) return "trailing '\\'";
      const escaped = text.charAt(position);
      if (inValue) value += escaped;
      else written += escaped;
      continue;
    }
    if (char === "/" || char === "+") {
      const failure = finishAttribute();
      if (failure !== undefined) return failure;
      if (char === "/") {
        rdns.push(rdn);
        rdn = [];
      }
      continue;
    }
    if (char === "=" && !inValue) {
      inValue = true;
      continue;
    }
    if (inValue) value += char;
    else written += char;
  }
  if (text.length > 1) {
    const failure = finishAttribute();
    if (failure !== undefined) return failure;
    rdns.push(rdn);
  }
  // Certificate order to RFC 4514 order.
  return rdns.reverse();
}
