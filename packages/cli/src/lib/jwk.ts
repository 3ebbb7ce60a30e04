import { createHash, type JsonWebKey } from "node:crypto";

/** The members RFC 7638 hashes, per key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ["crv", "kty", "x", "y"],
  OKP: ["crv", "kty", "x"],
  RSA: ["e", "kty", "n"],
};

/** The RFC 7638 SHA-256 thumbprint of a public JWK, base64url: a stable default `kid`. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)];
  if (members === undefined) throw new TypeError(`no thumbprint for key type ${String(jwk.kty)}`);
  const required: Record<string, unknown> = {};
  for (const member of members) required[member] = jwk[member];
  return createHash("sha256").update(JSON.stringify(required)).digest("base64url");
}
