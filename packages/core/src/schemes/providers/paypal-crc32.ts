// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as PayPal signs it: the checksum of the
// raw body as an unsigned integer. A checksum, not a hash: see the paypal preset's docs.

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  const built = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    built[n] = c >>> 0;
  }
  return built;
}

/** The CRC-32 of `bytes`, 0 to 2^32 - 1 (`crc32("123456789") === 0xcbf43926`). */
export function crc32(bytes: Uint8Array): number {
  table ??= crcTable();
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (table[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
