// In-process properties of `run` (the tests in ../test run the real command in child processes).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capture } from "../test/run-in-process.js";

const SCHEMES = ["standard-webhooks", "svix", "stripe", "github", "slack", "shopify"] as const;
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const toHeaderArgs = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .flatMap((line) => ["--header", line]);

describe("run (in process)", () => {
  it("sign then verify accepts any body bytes, and refuses any one-byte change with invalid_signature", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SCHEMES),
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (scheme, body, at, flip) => {
          // Stripe names a message by the `id` of its JSON body: give it one.
          const bytes =
            scheme === "stripe"
              ? new TextEncoder().encode(JSON.stringify({ id: "evt_1", data: Array.from(body) }))
              : body;
          const signed = await capture(["sign", "--scheme", scheme, "--secret", secret, "--body-file", "-"], bytes);
          expect(signed.code).toBe(0);
          const verify = [
            "verify",
            "--scheme",
            scheme,
            "--secret",
            secret,
            "--body-file",
            "-",
            "--json",
            ...toHeaderArgs(signed.stdout),
          ];
          expect((await capture(verify, bytes)).code).toBe(0);
          const tampered = bytes.slice();
          const index = at % tampered.length;
          tampered[index] = (tampered[index] ?? 0) ^ flip;
          const refused = await capture(verify, tampered);
          expect(refused.code).toBe(1);
          const verdict = JSON.parse(refused.stdout) as { code: string };
          // Changing Stripe's JSON may break the JSON (malformed_body) before the MAC is compared.
          expect(scheme === "stripe" ? ["invalid_signature", "malformed_body"] : ["invalid_signature"]).toContain(
            verdict.code,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a key the scheme cannot use is a usage error (exit 2), with core's reason", async () => {
    const result = await capture(["sign", "--scheme", "standard-webhooks", "--secret", "whsk_AAAA", "--body", "{}"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Ed25519");
    expect(result.stderr).toContain("hooksec sign --help");
  });

  it("any command line resolves with 0, 1 or 2, never a crash; 2 points to --help", async () => {
    const flags = [
      "--scheme",
      "--secret",
      "--secret-env",
      "--body",
      "--header",
      "--now",
      "--tolerance",
      "--timestamp",
      "--id",
      "--url",
      "--json",
      "--bytes",
      "--prefix",
      "--encoding",
      "--bogus",
      "-x",
      "--",
    ];
    const word = fc.oneof(
      fc.constantFrom(...flags, ...SCHEMES, "twilio", secret, "whsk_AAAA", "12", "-1", "webhook-id: x"),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("sign", "verify", "secret"),
        fc.array(word, { maxLength: 10 }),
        async (command, args) => {
          const result = await capture([command, ...args]);
          expect([0, 1, 2]).toContain(result.code);
          if (result.code === 2) expect(result.stderr).toMatch(/--help|Usage/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
