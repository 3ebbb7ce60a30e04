import { cryptoBackend, ED25519_PKCS8_PREFIX, ED25519_SPKI_PREFIX } from "#crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const ED25519 = { name: "Ed25519" } as const;

/** Imports a raw seed or public key as the keyrings do: wrapped in PKCS #8 or SPKI. */
function importRaw(raw: Uint8Array, type: "private" | "public") {
  const prefix = type === "private" ? ED25519_PKCS8_PREFIX : ED25519_SPKI_PREFIX;
  const der = new Uint8Array([...prefix, ...raw]);
  return cryptoBackend.importAsymmetricKey(ED25519, { format: type === "private" ? "pkcs8" : "spki", der });
}

// RFC 8032 section 7.1, tests 1 and 2.
const VECTORS = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
];

describe("Ed25519 on the crypto backend", () => {
  it.each(VECTORS)("signs and verifies RFC 8032 vector with public key $publicKey", async (vector) => {
    const pair = await importRaw(hex(vector.seed), "private");
    expect(pair.key.type).toBe("private");
    // the public half derived from the seed, as SPKI
    expect(toHex(pair.spki)).toBe(toHex(ED25519_SPKI_PREFIX) + vector.publicKey);
    // the message split in parts signs as its concatenation
    const message = hex(vector.message);
    const parts = [message.subarray(0, 0), message];
    expect(toHex(await cryptoBackend.asymmetricSign(pair.key, parts))).toBe(vector.signature);
    const publicKey = await importRaw(hex(vector.publicKey), "public");
    expect(publicKey.key.type).toBe("public");
    expect(toHex(publicKey.spki)).toBe(toHex(ED25519_SPKI_PREFIX) + vector.publicKey);
    expect(await cryptoBackend.asymmetricVerify(publicKey.key, hex(vector.signature), parts)).toBe(true);
    expect(await cryptoBackend.asymmetricVerify(pair.publicKey, hex(vector.signature), parts)).toBe(true);
  });

  it("refuses signatures that do not verify, of any length, without throwing", async () => {
    const vector = VECTORS[1] as (typeof VECTORS)[number];
    const { key: publicKey } = await importRaw(hex(vector.publicKey), "public");
    const signature = hex(vector.signature);
    const verify = (bytes: Uint8Array) => cryptoBackend.asymmetricVerify(publicKey, bytes, [hex(vector.message)]);
    expect(await verify(signature.subarray(0, 63))).toBe(false);
    expect(await verify(new Uint8Array(64))).toBe(false);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 63 }), fc.integer({ min: 1, max: 255 }), async (index, flip) => {
        const mutated = signature.slice();
        mutated[index] = (mutated[index] as number) ^ flip;
        expect(await verify(mutated)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
