// Decodes the DER string types a DN value can have, for `#hex` values
// (RFC 4514 §2.4: what OpenSSL prints for attribute types it does not know).

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The text of one DER-encoded string value (whole input, one TLV); `undefined` if it is not one. */
export function decodeDerString(der: Uint8Array): string | undefined {
  if (der.length < 2) return undefined;
  const tag = der[0] as number;
  let length = der[1] as number;
  let offset = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || der.length < 2 + count) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[2 + i] as number);
    offset += count;
    if (length < 0x80) return undefined; // not the shortest form: not DER
  }
  if (offset + length !== der.length) return undefined;
  const content = der.subarray(offset);
  try {
    switch (tag) {
      case 0x0c: // UTF8String
        return utf8.decode(content);
      case 0x12: // NumericString
      case 0x13: // PrintableString
      case 0x16: // IA5String
      case 0x1a: // VisibleString
        return content.every((byte) => byte < 0x80) ? String.fromCharCode(...content) : undefined;
      case 0x14: // TeletexString: read as Latin-1, as OpenSSL does
        return String.fromCharCode(...content);
      case 0x1e: // BMPString: UTF-16BE
        return content.length % 2 === 0 ? decodeCodeUnits(content, 2) : undefined;
      case 0x1c: // UniversalString: UTF-32BE
        return content.length % 4 === 0 ? decodeCodeUnits(content, 4) : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function decodeCodeUnits(content: Uint8Array, width: 2 | 4): string | undefined {
  let out = "";
  for (let i = 0; i < content.length; i += width) {
    let point = 0;
    for (let j = 0; j < width; j++) point = point * 256 + (content[i + j] as number);
    if (point > 0x10ffff || (width === 2 && point >= 0xd800 && point <= 0xdfff)) return undefined;
    out += String.fromCodePoint(point);
  }
  return out;
}
