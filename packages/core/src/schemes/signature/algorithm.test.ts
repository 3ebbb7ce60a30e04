import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WebhookError } from "../../errors/webhook-error.js";
import { ed25519Signature, hmacSignature, resolveAlgorithm } from "./algorithm.js";

// The fixed algorithms are what resolveAlgorithm returns for their names: a format
// that takes them directly behaves exactly as one that names its algorithm.
const comparable = (algorithm: ReturnType<typeof resolveAlgorithm>, bytes: Uint8Array) => ({
  name: algorithm.name,
  hmac: algorithm.hmac,
  asymmetric: algorithm.asymmetric,
  signatureLength: algorithm.signatureLength,
  decoded: algorithm.decode(bytes),
  encoded: algorithm.encode(bytes),
});

describe("fixed algorithms", () => {
  it("hmacSignature(hash) and ed25519Signature() equal resolveAlgorithm of their names, on any signature bytes", () => {
    const pairs = [
      [hmacSignature("SHA-1"), resolveAlgorithm("hmac-sha1")],
      [hmacSignature("SHA-256"), resolveAlgorithm("hmac-sha256")],
      [hmacSignature("SHA-512"), resolveAlgorithm("hmac-sha512")],
      [ed25519Signature(), resolveAlgorithm("ed25519")],
    ] as const;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const [fixed, resolved] of pairs) expect(comparable(fixed, bytes)).toEqual(comparable(resolved, bytes));
      }),
    );
    expect(pairs.map(([fixed]) => fixed.name)).toEqual(["hmac-sha1", "hmac-sha256", "hmac-sha512", "ed25519"]);
    expect(hmacSignature("SHA-256").decode(new Uint8Array(31))).toBeUndefined();
    expect(hmacSignature("SHA-256").decode(new Uint8Array(32))).toHaveLength(32);
  });

  it("resolveAlgorithm still refuses unknown names and misplaced parameters with invalid_options", () => {
    const refused = { code: "invalid_options" };
    expect(() => resolveAlgorithm("hmac-md5" as never)).toThrow(expect.objectContaining(refused));
    expect(() => resolveAlgorithm("ed25519", { saltLength: 32 })).toThrow(expect.objectContaining(refused));
    expect(() => resolveAlgorithm("hmac-sha256", { signatureEncoding: "raw" })).toThrow(
      expect.objectContaining(refused),
    );
    expect(() => resolveAlgorithm("hmac-sha256", { signatureEncoding: "raw" })).toThrow(WebhookError);
  });
});
