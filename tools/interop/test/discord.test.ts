// Discord: discord-interactions' verifyKey against our discord preset (Ed25519 over
// `{timestamp}{body}`, hex). The library only verifies, so Discord's side is signed with the
// documented recipe on node:crypto, under a key pair made for the test.
// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
import { generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { discord } from "@hooksec/core";
import { verifyKey } from "discord-interactions";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, seconds, tamper } from "./support/receive.js";

const pair = generateKeyPairSync("ed25519");
/** The application's public key as the developer portal shows it: 32 raw bytes in hex. */
const publicKeyHex = pair.publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("hex");
const privateKeyPem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const other = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();

const interaction = fc
  .record({
    id: fc.stringMatching(/^[1-9][0-9]{16,19}$/),
    type: fc.constantFrom(1, 2, 3),
    data: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 })),
  })
  .map((event) => JSON.stringify(event));

function discordSigned(body: string, timestamp: number): Record<string, string> {
  const signature = nodeSign(null, Buffer.from(`${timestamp}${body}`), pair.privateKey).toString("hex");
  return { "x-signature-ed25519": signature, "x-signature-timestamp": String(timestamp) };
}

describe("discord: discord-interactions verifyKey", () => {
  it("accepts what our preset signs, and refuses a changed body", async () => {
    const scheme = discord({ privateKey: privateKeyPem });
    await fc.assert(
      fc.asyncProperty(interaction, async (body) => {
        const headers = await scheme.sign({ id: "x", timestamp: new Date(), body });
        const [signature, timestamp] = [
          headers["x-signature-ed25519"] as string,
          headers["x-signature-timestamp"] as string,
        ];
        expect(await verifyKey(body, signature, timestamp, publicKeyHex)).toBe(true);
        expect(await verifyKey(tamper(body), signature, timestamp, publicKeyHex)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it("we accept what Discord's recipe signs (the request verifyKey accepts), named by the interaction id, and refuse it tampered", async () => {
    const scheme = discord({ publicKey: publicKeyHex });
    await fc.assert(
      fc.asyncProperty(interaction, async (body) => {
        const now = Date.now();
        const headers = discordSigned(body, seconds(now));
        expect(
          await verifyKey(
            body,
            headers["x-signature-ed25519"] as string,
            headers["x-signature-timestamp"] as string,
            publicKeyHex,
          ),
        ).toBe(true);
        await expect(receive(scheme, { headers, body, now })).resolves.toMatchObject({ id: JSON.parse(body).id });
        expect(await refusalCode(receive(scheme, { headers, body: tamper(body), now }))).toBe("invalid_signature");
        const shifted = { ...headers, "x-signature-timestamp": String(seconds(now) - 1) };
        expect(await refusalCode(receive(scheme, { headers: shifted, body, now }))).toBe("invalid_signature");
      }),
      { numRuns: 60 },
    );
  });

  it("both refuse a signature by another application's key", async () => {
    const body = '{"id":"1234567890123456789","type":1}';
    const headers = await discord({ privateKey: other }).sign({ id: "x", timestamp: new Date(), body });
    expect(
      await verifyKey(
        body,
        headers["x-signature-ed25519"] as string,
        headers["x-signature-timestamp"] as string,
        publicKeyHex,
      ),
    ).toBe(false);
    expect(await refusalCode(receive(discord({ publicKey: publicKeyHex }), { headers, body }))).toBe(
      "invalid_signature",
    );
  });
});
