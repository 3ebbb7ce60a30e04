import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { discord } from "./discord.js";
import { describeConformance, jwkKey } from "./test-support/conformance.js";

describeConformance({
  name: "discord",
  newKey: () => jwkKey({ name: "Ed25519" }),
  sender: (key) => discord({ privateKey: key.signing as JsonWebKey }),
  receiver: (keys) => discord({ publicKeys: keys.map((key) => key.verifying as JsonWebKey) }),
});

const fromBase64Url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

describe("discord", () => {
  it("verifies with the hex public key the developer portal shows, names the interaction by its id", async () => {
    const key = await jwkKey({ name: "Ed25519" });
    const publicKey = hex(fromBase64Url((key.verifying as JsonWebKey).x as string));
    const body = '{"id":"1234567890","type":1}';
    const headers = await discord({ privateKey: key.signing as JsonWebKey }).sign({
      id: "x",
      timestamp: new Date(1_700_000_000_000),
      body,
    });
    expect(headers["x-signature-ed25519"]).toMatch(/^[0-9a-f]{128}$/);
    expect(headers["x-signature-timestamp"]).toBe("1700000000");
    await expect(discord({ publicKey }).verify(incomingWebhook(headers, body))).resolves.toMatchObject({
      id: "1234567890",
    });
    expect(() => discord({ publicKey: "not hex" })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(
      await codeOf(discord({ publicKey }).verify(incomingWebhook({ ...headers, "x-signature-ed25519": "00" }, body))),
    ).toBe("malformed_header");
  });
});
