/**
 * Attribute types of distinguished names: each known OID with the name OpenSSL
 * (and so nginx's `$ssl_client_s_dn`) prints, and the spellings people write.
 * Types are matched case-insensitively; unknown types are kept as dotted OIDs.
 */
const KNOWN_TYPES: readonly (readonly [oid: string, name: string, ...aliases: string[]])[] = [
  ["2.5.4.3", "CN", "commonName"],
  ["2.5.4.4", "SN", "surname"],
  ["2.5.4.5", "serialNumber"],
  ["2.5.4.6", "C", "countryName"],
  ["2.5.4.7", "L", "localityName"],
  ["2.5.4.8", "ST", "stateOrProvinceName", "S"],
  ["2.5.4.9", "street", "streetAddress"],
  ["2.5.4.10", "O", "organizationName"],
  ["2.5.4.11", "OU", "organizationalUnitName"],
  ["2.5.4.12", "title"],
  ["2.5.4.42", "GN", "givenName"],
  ["2.5.4.43", "initials"],
  ["2.5.4.44", "generationQualifier"],
  ["2.5.4.46", "dnQualifier"],
  ["2.5.4.65", "pseudonym"],
  ["2.5.4.97", "organizationIdentifier"],
  ["0.9.2342.19200300.100.1.25", "DC", "domainComponent"],
  ["0.9.2342.19200300.100.1.1", "UID", "userId"],
  ["1.2.840.113549.1.9.1", "emailAddress", "E", "email"],
];

const NAME_BY_OID = new Map<string, string>();
const NAME_BY_SPELLING = new Map<string, string>();
for (const [oid, name, ...aliases] of KNOWN_TYPES) {
  NAME_BY_OID.set(oid, name);
  for (const spelling of [name, ...aliases]) NAME_BY_SPELLING.set(spelling.toLowerCase(), name);
}

const NUMERIC_OID = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+$/;

/** The canonical name of a type given by its OID: the known short name, else the OID itself. */
export function attributeTypeFromOid(oid: string): string {
  return NAME_BY_OID.get(oid) ?? oid;
}

/**
 * The canonical name of a type as written in a DN string (`cn`, `commonName`,
 * `2.5.4.3`, `OID.2.5.4.3` all give `CN`); `undefined` for an unknown name.
 */
export function canonicalAttributeType(written: string): string | undefined {
  const known = NAME_BY_SPELLING.get(written.toLowerCase());
  if (known !== undefined) return known;
  const oid = /^oid\./i.test(written) ? written.slice(4) : written;
  return NUMERIC_OID.test(oid) ? attributeTypeFromOid(oid) : undefined;
}
