import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createVerifier } from "@hooksec/core";
import { afterAll, describe, expect, it } from "vitest";
import { schemeFor } from "../src/lib/schemes.js";
import { headerLines, hooksec, json, tempDir } from "./run-cli.js";

const temp = tempDir();
afterAll(() => temp.remove());

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const body = '{"id":"evt_1","type":"invoice.paid","amount":42}';
const now = () => Math.floor(Date.now() / 1000);
const SCHEMES = ["standard-webhooks", "svix", "stripe", "github", "slack", "shopify"] as const;

interface Signed {
  id: string;
  timestamp: number;
  headers: Record<string, string>;
}

async function sign(scheme: string, extra: readonly string[] = []): Promise<Signed> {
  const result = await hooksec(["sign", "--scheme", scheme, "--secret", secret, "--body", body, "--json", ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return json<Signed>(result);
}

const headerArgs = (headers: Record<string, string>) =>
  Object.entries(headers).flatMap(([name, value]) => ["--header", `${name}: ${value}`]);

/** `hooksec verify --json` of the headers `sign` printed, with the test secret and body unless given. */
function verifyArgs(scheme: string, signed: Signed, given: { secret?: string; body?: string } = {}): string[] {
  const options = ["--scheme", scheme, "--secret", given.secret ?? secret, "--body", given.body ?? body, "--json"];
  return ["verify", ...options, ...headerArgs(signed.headers)];
}

interface Verdict {
  accepted: boolean;
  id?: string;
  keyId?: string;
  timestamp?: number;
  code?: string;
  detail?: string;
}

describe("hooksec sign | hooksec verify", () => {
  it.each(SCHEMES)("%s: what sign prints, verify accepts (exit 0) and so does core's verifier", async (scheme) => {
    const signed = await sign(scheme, ["--id", "msg_cli_1"]);
    const verified = await hooksec(verifyArgs(scheme, signed));
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const verdict = json<Verdict>(verified);
    expect(verdict.accepted).toBe(true);
    expect(verdict.keyId).toMatch(/^sha256:/);

    const webhook = await createVerifier({ scheme: schemeFor(scheme, [secret]) }).verifyParts({
      method: "POST",
      url: "https://localhost/",
      headers: signed.headers,
      body: new TextEncoder().encode(body),
    });
    expect(webhook.id).toBe(verdict.id);
    if (scheme === "stripe")
      expect(webhook.id).toBe("evt_1"); // Stripe names a message by the signed event id
    else if (scheme !== "slack") expect(webhook.id).toBe("msg_cli_1");
    if (scheme === "github" || scheme === "shopify") expect(verdict.timestamp).toBeUndefined();
    else expect(Math.abs((verdict.timestamp ?? 0) - signed.timestamp)).toBe(0);
  });

  it("prints name: value lines that verify reads back from a file (--headers-file)", async () => {
    const signed = await hooksec([
      "sign",
      "--scheme",
      "standard-webhooks",
      "--secret",
      secret,
      "--body",
      body,
      "--id",
      "msg_lines",
    ]);
    expect(signed.code).toBe(0);
    expect(Object.keys(headerLines(signed.stdout))).toEqual(["webhook-id", "webhook-timestamp", "webhook-signature"]);
    const file = join(temp.dir, "headers.txt");
    writeFileSync(file, signed.stdout);
    const verified = await hooksec([
      "verify",
      "--scheme",
      "standard-webhooks",
      "--secret",
      secret,
      "--body",
      body,
      "--headers-file",
      file,
    ]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^accepted\n/);
    expect(verified.stdout).toMatch(/id: +msg_lines/);
  });

  it.each(SCHEMES)("%s: a tampered body is refused with invalid_signature (exit 1)", async (scheme) => {
    const signed = await sign(scheme);
    const tampered = body.replace("42", "43");
    const result = await hooksec(verifyArgs(scheme, signed, { body: tampered }));
    expect(result.code).toBe(1);
    expect(json<Verdict>(result)).toMatchObject({ accepted: false, code: "invalid_signature" });
  });

  it("refuses another secret's signature, and accepts it in a keyring (--secret twice)", async () => {
    const signed = await sign("standard-webhooks");
    const other = "whsec_dGhlIG90aGVyIHNlY3JldCBvZiAzMiBieXRlcyEh";
    const refused = await hooksec(verifyArgs("standard-webhooks", signed, { secret: other }));
    expect(refused.code).toBe(1);
    expect(json<Verdict>(refused).code).toBe("invalid_signature");
    const rotated = await hooksec([
      "verify",
      "--scheme",
      "standard-webhooks",
      "--secret",
      other,
      "--secret",
      secret,
      "--body",
      body,
      ...headerArgs(signed.headers),
    ]);
    expect(rotated.code).toBe(0);
  });

  it.each(["standard-webhooks", "stripe", "slack"])(
    "%s: an old timestamp is refused with timestamp_too_old; --now and --tolerance move the window",
    async (scheme) => {
      const signedAt = now() - 1000;
      const signed = await sign(scheme, ["--timestamp", String(signedAt)]);
      const args = verifyArgs(scheme, signed);
      const stale = await hooksec(args);
      expect(stale.code).toBe(1);
      expect(json<Verdict>(stale).code).toBe("timestamp_too_old");
      expect((await hooksec([...args, "--now", String(signedAt + 10)])).code).toBe(0);
      expect((await hooksec([...args, "--tolerance", "2000"])).code).toBe(0);
      const future = await hooksec([...args, "--now", String(signedAt - 120)]);
      expect(json<Verdict>(future).code).toBe("timestamp_in_future");
    },
  );

  it("reads the secret from the environment (--secret-env), and refuses an unset variable (exit 2)", async () => {
    const env = { HOOKSEC_TEST_SECRET: secret };
    const signed = await hooksec(["sign", "--scheme", "svix", "--secret-env", "HOOKSEC_TEST_SECRET", "--body", body], {
      env,
    });
    expect(signed.code).toBe(0);
    const verified = await hooksec(
      [
        "verify",
        "--scheme",
        "svix",
        "--secret-env",
        "HOOKSEC_TEST_SECRET",
        "--body",
        body,
        ...headerArgs(headerLines(signed.stdout)),
      ],
      { env },
    );
    expect(verified.code).toBe(0);
    const unset = await hooksec(["sign", "--scheme", "svix", "--secret-env", "HOOKSEC_UNSET_VARIABLE", "--body", body]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("HOOKSEC_UNSET_VARIABLE");
  });

  it("signs the exact bytes of --body-file and of standard input", async () => {
    const bytes = Uint8Array.from([0x7b, 0x22, 0xff, 0x00, 0x0d, 0x0a, 0x7d]); // not UTF-8, with CR LF
    const file = join(temp.dir, "body.bin");
    writeFileSync(file, bytes);
    const signed = await hooksec([
      "sign",
      "--scheme",
      "github",
      "--secret",
      "github-s3cret-not-real",
      "--body-file",
      file,
      "--json",
    ]);
    expect(signed.code).toBe(0);
    const { headers } = json<Signed>(signed);
    const webhook = await createVerifier({ scheme: schemeFor("github", ["github-s3cret-not-real"]) }).verifyParts({
      method: "POST",
      url: "https://localhost/",
      headers,
      body: bytes,
    });
    expect(webhook.body).toEqual(bytes);
    const fromStdin = await hooksec(
      [
        "verify",
        "--scheme",
        "github",
        "--secret",
        "github-s3cret-not-real",
        "--body-file",
        "-",
        ...headerArgs(headers),
      ],
      { input: bytes },
    );
    expect(fromStdin.code).toBe(0);
  });

  it("signs Ed25519 (v1a) with a whsk_ key and verifies with the whpk_ key", async () => {
    const keys = await hooksec(["keypair", "--type", "ed25519", "--json"]);
    const { privateKey, publicKey } = json<{ privateKey: string; publicKey: string }>(keys);
    const signed = await hooksec([
      "sign",
      "--scheme",
      "standard-webhooks",
      "--secret",
      privateKey,
      "--body",
      body,
      "--json",
    ]);
    const { headers } = json<Signed>(signed);
    expect(headers["webhook-signature"]).toMatch(/^v1a,/);
    const verified = await hooksec([
      "verify",
      "--scheme",
      "standard-webhooks",
      "--secret",
      publicKey,
      "--body",
      body,
      ...headerArgs(headers),
    ]);
    expect(verified.code).toBe(0);
  });

  it("signs and verifies twilio over the URL", async () => {
    const url = "https://hooks.example.com/sms?x=1";
    const form = "Body=hello&From=%2B15550100";
    const signed = await hooksec([
      "sign",
      "--scheme",
      "twilio",
      "--secret",
      "0123456789abcdef0123456789abcdef",
      "--url",
      url,
      "--body",
      form,
      "--json",
    ]);
    const { headers } = json<Signed>(signed);
    const args = [
      "verify",
      "--scheme",
      "twilio",
      "--secret",
      "0123456789abcdef0123456789abcdef",
      "--body",
      form,
      ...headerArgs(headers),
    ];
    expect((await hooksec([...args, "--url", url])).code).toBe(0);
    const elsewhere = await hooksec([...args, "--url", "https://hooks.example.com/other", "--json"]);
    expect(elsewhere.code).toBe(1);
    expect(json<Verdict>(elsewhere).code).toBe("invalid_signature");
  });

  it("reports a missing signature header with its code (exit 1); no headers at all is a usage error (exit 2)", async () => {
    const result = await hooksec([
      "verify",
      "--scheme",
      "github",
      "--secret",
      "github-s3cret-not-real",
      "--body",
      body,
      "--header",
      "x-github-delivery: d-1",
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^refused: missing_header\n/);
    const none = await hooksec(["verify", "--scheme", "github", "--secret", "github-s3cret-not-real", "--body", body]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no headers given");
  });
});

describe("usage errors exit 2", () => {
  it.each([
    [["sign", "--secret", secret, "--body", body], "--scheme"],
    [["sign", "--scheme", "not-a-provider", "--secret", secret, "--body", body], "--scheme"],
    [["sign", "--scheme", "svix", "--body", body], "--secret"],
    [["sign", "--scheme", "svix", "--secret", secret], "--body"],
    [["sign", "--scheme", "svix", "--secret", secret, "--body", body, "--body-file", "x"], "not both"],
    [["sign", "--scheme", "svix", "--secret", secret, "--body", body, "--timestamp", "yesterday"], "--timestamp"],
    [["sign", "--scheme", "twilio", "--secret", secret, "--body", body], "--url"],
    [["sign", "--scheme", "standard-webhooks", "--secret", "whsec_!!", "--body", body], "hooksec sign"],
    [["sign", "--scheme", "standard-webhooks", "--secret", "whsec_AA==", "--body", body], "hooksec secret"],
    [["sign", "--scheme", "github", "--secret", "s3cret", "--body", body], "at least 16 bytes"],
    [["verify", "--scheme", "svix", "--secret", "supersecretwebhooksecret", "--body", body], "plain word"],
    [["verify", "--scheme", "svix", "--secret", secret, "--body", body, "--header", "no colon"], "name: value"],
    [["verify", "--scheme", "svix", "--secret", secret, "--body", body, "--tolerance", "-5"], "--tolerance"],
    [["frobnicate"], "unknown command"],
    [[], "Usage: hooksec"],
  ])("%j", async (args, message) => {
    const result = await hooksec(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("--body-file that cannot be read fails (exit 1)", async () => {
    const result = await hooksec([
      "sign",
      "--scheme",
      "svix",
      "--secret",
      secret,
      "--body-file",
      join(temp.dir, "missing.json"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ENOENT");
  });
});

describe("help", () => {
  it.each([
    [["--help"], "Usage: hooksec <command>"],
    [["help"], "Usage: hooksec <command>"],
    [["help", "sign"], "Usage: hooksec sign"],
    ...["secret", "keypair", "sign", "verify", "send"].map(
      (command) => [[command, "--help"], `Usage: hooksec ${command}`] as [string[], string],
    ),
    [["ca", "--help"], "Usage: hooksec ca <init|issue|server>"],
    [["ca", "init", "--help"], "Usage: hooksec ca init"],
    [["ca", "issue", "--help"], "Usage: hooksec ca issue"],
    [["ca", "server", "--help"], "Usage: hooksec ca server"],
  ])("%j prints its usage (exit 0)", async (args, usage) => {
    const result = await hooksec(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(usage);
  });

  it("--version prints the package version", async () => {
    const result = await hooksec(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
