/**
 * Attribute types of distinguished names: each OID OpenSSL has a name for, with the name
 * it prints in RFC 2253 mode (and so nginx's `$ssl_client_s_dn`: its short name, else its
 * long name), and the spellings people write.
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
  ["2.5.4.13", "description"],
  ["2.5.4.14", "searchGuide"],
  ["2.5.4.15", "businessCategory"],
  ["2.5.4.16", "postalAddress"],
  ["2.5.4.17", "postalCode"],
  ["2.5.4.18", "postOfficeBox"],
  ["2.5.4.19", "physicalDeliveryOfficeName"],
  ["2.5.4.20", "telephoneNumber"],
  ["2.5.4.21", "telexNumber"],
  ["2.5.4.22", "teletexTerminalIdentifier"],
  ["2.5.4.23", "facsimileTelephoneNumber"],
  ["2.5.4.24", "x121Address"],
  ["2.5.4.25", "internationaliSDNNumber"],
  ["2.5.4.26", "registeredAddress"],
  ["2.5.4.27", "destinationIndicator"],
  ["2.5.4.28", "preferredDeliveryMethod"],
  ["2.5.4.29", "presentationAddress"],
  ["2.5.4.30", "supportedApplicationContext"],
  ["2.5.4.31", "member"],
  ["2.5.4.32", "owner"],
  ["2.5.4.33", "roleOccupant"],
  ["2.5.4.34", "seeAlso"],
  ["2.5.4.41", "name"],
  ["2.5.4.42", "GN", "givenName"],
  ["2.5.4.43", "initials"],
  ["2.5.4.44", "generationQualifier"],
  ["2.5.4.45", "x500UniqueIdentifier"],
  ["2.5.4.46", "dnQualifier"],
  ["2.5.4.47", "enhancedSearchGuide"],
  ["2.5.4.48", "protocolInformation"],
  ["2.5.4.49", "distinguishedName"],
  ["2.5.4.50", "uniqueMember"],
  ["2.5.4.51", "houseIdentifier"],
  ["2.5.4.54", "dmdName"],
  ["2.5.4.65", "pseudonym"],
  ["2.5.4.72", "role"],
  ["2.5.4.97", "organizationIdentifier"],
  ["2.5.4.98", "c3", "countryCode3c"],
  ["2.5.4.99", "n3", "countryCode3n"],
  ["2.5.4.100", "dnsName"],
  ["0.9.2342.19200300.100.1.25", "DC", "domainComponent"],
  ["0.9.2342.19200300.100.1.1", "UID", "userId"],
  ["0.9.2342.19200300.100.1.3", "mail", "rfc822Mailbox"],
  ["1.2.840.113549.1.9.1", "emailAddress", "E", "email"],
  ["1.2.840.113549.1.9.2", "unstructuredName"],
  ["1.2.840.113549.1.9.8", "unstructuredAddress"],
  // EV certificates' jurisdiction of incorporation (CA/Browser Forum).
  ["1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL", "jurisdictionLocalityName"],
  ["1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST", "jurisdictionStateOrProvinceName"],
  ["1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC", "jurisdictionCountryName"],
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
