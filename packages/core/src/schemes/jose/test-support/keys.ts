// Test support for the JOSE tests: fresh key pairs, and tokens built by `jose` directly
// (independent of the schemes under test). Not a test file itself.
import { base64url, exportJWK, generateKeyPair, type JWK } from "jose";

export interface TestKeyPair {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export async function testKeyPair(alg: string, kid: string, options: { crv?: string } = {}): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const privateJwk = { ...(await exportJWK(privateKey)), kid };
  const publicJwk = { ...(await exportJWK(publicKey)), kid };
  return { privateJwk, publicJwk, privateKey, publicKey };
}

/**
 * Whether two compact JOSE strings decode to the same bytes segment by segment: a change
 * to the unused low bits of a segment's last base64url character changes no byte, and
 * is not a mutation of the message.
 */
export function sameDecodedSegments(a: string, b: string): boolean {
  const decode = (segment: string) => {
    try {
      return Array.from(base64url.decode(segment)).join(",");
    } catch {
      return `invalid:${segment}`;
    }
  };
  const left = a.split(".");
  const right = b.split(".");
  return left.length === right.length && left.every((segment, i) => decode(segment) === decode(right[i] as string));
}
