import { cryptoBackend } from "#crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

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
    const privateKey = await cryptoBackend.importEd25519PrivateKey(hex(vector.seed));
    expect(toHex(await cryptoBackend.ed25519PublicKey(privateKey))).toBe(vector.publicKey);
    // the message split in parts signs as its concatenation
    const message = hex(vector.message);
    const parts = [message.subarray(0, 0), message];
    expect(toHex(await cryptoBackend.ed25519Sign(privateKey, parts))).toBe(vector.signature);
    const publicKey = await cryptoBackend.importEd25519PublicKey(hex(vector.publicKey));
    expect(toHex(await cryptoBackend.ed25519PublicKey(publicKey))).toBe(vector.publicKey);
    expect(await cryptoBackend.ed25519Verify(publicKey, hex(vector.signature), parts)).toBe(true);
  });

  it("refuses keys of the wrong length and signatures that do not verify, without throwing", async () => {
    await expect(cryptoBackend.importEd25519PrivateKey(new Uint8Array(31))).rejects.toThrow(/seed is 32 bytes/);
    await expect(cryptoBackend.importEd25519PublicKey(new Uint8Array(33))).rejects.toThrow(/public key is 32 bytes/);
    const vector = VECTORS[1] as (typeof VECTORS)[number];
    const publicKey = await cryptoBackend.importEd25519PublicKey(hex(vector.publicKey));
    const signature = hex(vector.signature);
    expect(await cryptoBackend.ed25519Verify(publicKey, signature.subarray(0, 63), [hex(vector.message)])).toBe(false);
    expect(await cryptoBackend.ed25519Verify(publicKey, new Uint8Array(64), [hex(vector.message)])).toBe(false);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 63 }), fc.integer({ min: 1, max: 255 }), async (index, flip) => {
        const mutated = signature.slice();
        mutated[index] = (mutated[index] as number) ^ flip;
        expect(await cryptoBackend.ed25519Verify(publicKey, mutated, [hex(vector.message)])).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
