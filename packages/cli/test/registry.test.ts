// `hooksec sign` -> `hooksec verify` for every preset of the core's provider registry: the table
// iterates the registry itself, so a preset added there is covered here without a line changed.
import { generateKeyPairSync } from "node:crypto";
import { type ProviderInfo, type ProviderName, providers } from "@hooksec/core";
import { describe, expect, it } from "vitest";
import { SCHEME_NAMES } from "../src/lib/schemes.js";
import { capture } from "./run-in-process.js";

const URL = "https://receiver.test/hooks?tenant=acme";
const SIGNED_AT = 1_700_000_000;
const encoder = new TextEncoder();

// Bodies to try, in order: a JSON event; a notification whose items carry their own signatures (Adyen).
const BODIES = [
  `{"id":"evt_cli_1","event_id":"evt_cli_1","type":"invoice.paid","amount":42,"webhookTimestamp":${SIGNED_AT * 1000}}`,
  JSON.stringify({
    live: "false",
    notificationItems: [
      {
        NotificationRequestItem: {
          pspReference: "7914073381342284",
          merchantAccountCode: "Acme",
          merchantReference: "order-42",
          amount: { value: 42, currency: "EUR" },
          eventCode: "AUTHORISATION",
          success: "true",
        },
      },
    ],
  }),
];
const tamperBody = (body: string) => body.replace("42", "43");

/** Secrets to try for a provider, from what its registry entry says it needs. */
function keysFor(info: ProviderInfo): { signing: string[]; verifying: string[] }[] {
  switch (info.keys) {
    case "secret":
      return [
        { signing: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], verifying: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] },
        {
          signing: ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],
          verifying: ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],
        },
      ];
    case "token":
      return [{ signing: ["cli-test-token-not-real-0123456789"], verifying: ["cli-test-token-not-real-0123456789"] }];
    case "credentials":
      return [{ signing: ["hooks:cli-test-password-not-real"], verifying: ["hooks:cli-test-password-not-real"] }];
    case "public-key": {
      const pair =
        info.algorithm === "ed25519"
          ? generateKeyPairSync("ed25519")
          : info.algorithm.startsWith("ecdsa")
            ? generateKeyPairSync("ec", { namedCurve: "P-256" })
            : generateKeyPairSync("rsa", { modulusLength: 2048 });
      const privatePem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
      const publicJwk = JSON.stringify(pair.publicKey.export({ format: "jwk" }));
      return [{ signing: [privatePem], verifying: [publicJwk] }];
    }
    case "key-fetcher":
      return [];
  }
}

// `--secret=VALUE`: a PEM key starts with dashes, which the option parser would take for an option.
const secretArgs = (secrets: readonly string[]) => secrets.map((secret) => `--secret=${secret}`);
const headerArgs = (headers: Record<string, string>) =>
  Object.entries(headers).flatMap(([name, value]) => ["--header", `${name}: ${value}`]);
const urlArgs = (info: ProviderInfo) => (info.signsUrl === true ? ["--url", URL] : []);

interface Signed {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

async function sign(
  name: ProviderName,
  secrets: readonly string[],
  body: string,
  id = "msg_cli_registry",
): Promise<Signed | undefined> {
  const info = providers[name];
  const args = [
    "sign",
    "--scheme",
    name,
    ...secretArgs(secrets),
    "--body",
    body,
    "--id",
    id,
    "--timestamp",
    String(SIGNED_AT),
    "--json",
    ...urlArgs(info),
  ];
  const result = await capture(args);
  return result.code === 0 ? (JSON.parse(result.stdout) as Signed) : undefined;
}

async function verify(name: ProviderName, secrets: readonly string[], headers: Record<string, string>, body: string) {
  const info = providers[name];
  const args = [
    "verify",
    "--scheme",
    name,
    ...secretArgs(secrets),
    "--body-file",
    "-",
    "--now",
    String(SIGNED_AT),
    "--json",
    ...urlArgs(info),
    ...headerArgs(headers),
  ];
  const result = await capture(args, encoder.encode(body));
  return {
    code: result.code,
    verdict:
      result.stdout === ""
        ? undefined
        : (JSON.parse(result.stdout) as { accepted: boolean; id?: string; code?: string }),
    stderr: result.stderr,
  };
}

/** Every header value with its middle character changed. */
function tamperHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      const at = Math.floor(value.length / 2);
      return [name, value.slice(0, at) + (value[at] === "A" ? "B" : "A") + value.slice(at + 1)];
    }),
  );
}

/** The first keys and body the preset signs: a body whose shape it needs (Adyen) is found, not hard-coded per name. */
async function firstSigned(name: ProviderName) {
  for (const keys of keysFor(providers[name])) {
    for (const body of BODIES) {
      const signed = await sign(name, keys.signing, body);
      if (signed !== undefined) return { keys, body, signed, sent: signed.body ?? body };
    }
  }
  throw new Error(`${name}: hooksec sign refused every key and body tried`);
}

const offline = SCHEME_NAMES.filter((name) => providers[name].keys !== "key-fetcher");
const fetched = SCHEME_NAMES.filter((name) => providers[name].keys === "key-fetcher");

describe("hooksec sign | verify over the provider registry", () => {
  it("knows every registry preset by name, and nothing else", () => {
    expect([...SCHEME_NAMES].sort()).toEqual(Object.keys(providers).sort());
  });

  it.each(offline)("%s: what sign prints, verify accepts (exit 0), under the id sign printed", async (name) => {
    const { keys, signed, sent } = await firstSigned(name);
    const accepted = await verify(name, keys.verifying, signed.headers, sent);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.verdict).toMatchObject({ accepted: true, id: signed.id });
  });

  it.each(offline)("%s: a tampered proof (headers, or what sign put in the body) is refused (exit 1)", async (name) => {
    const { keys, body, signed, sent } = await firstSigned(name);
    const tampered =
      signed.body === undefined
        ? await verify(name, keys.verifying, tamperHeaders(signed.headers), sent)
        : await verify(name, keys.verifying, signed.headers, tamperInserted(body, sent));
    expect(tampered.code, tampered.stderr).toBe(1);
    expect(["invalid_signature", "malformed_header", "malformed_body", "missing_header"]).toContain(
      tampered.verdict?.code,
    );
  });

  it.each(offline)(
    "%s: a tampered body is refused with invalid_signature (exit 1) whenever the proof covers the body",
    async (name) => {
      const { keys, body, signed, sent } = await firstSigned(name);
      // Does the proof depend on the body? Sign the changed body with the same id and time and compare.
      const resigned = await sign(name, keys.signing, tamperBody(body));
      const proof = (result: Signed, from: string) =>
        JSON.stringify([result.headers, result.body === undefined ? [] : proofOf(from, result.body)]);
      const covers = resigned !== undefined && proof(resigned, tamperBody(body)) !== proof(signed, body);
      const result = await verify(name, keys.verifying, signed.headers, tamperBody(sent));
      if (covers) {
        expect(result.code, result.stderr).toBe(1);
        expect(["invalid_signature", "malformed_body"]).toContain(result.verdict?.code);
      } else {
        // Shared tokens (GitLab, Telegram, Postmark) authenticate the sender, not the body: say so in the registry.
        expect(["shared-token", "basic-auth"].includes(providers[name].algorithm) || signed.body !== undefined).toBe(
          true,
        );
      }
    },
  );

  it.each(fetched.length > 0 ? fetched : ["(none registered)" as ProviderName])(
    "%s: keys fetched at run time: a usage error that says why (exit 2)",
    async (name) => {
      if (!(name in providers)) return expect(fetched).toEqual([]);
      const result = await capture([
        "sign",
        "--scheme",
        name,
        "--secret",
        "anything-not-used-0123456789",
        "--body",
        "{}",
        ...urlArgs(providers[name]),
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("cannot sign or verify it offline");
    },
  );

  it("stripe: the id printed is the body's event id (what receivers deduplicate on), not --id", async () => {
    const body = '{"id":"evt_1Ab2Cd3","object":"event","type":"invoice.paid"}';
    const result = await capture([
      "sign",
      "--scheme",
      "stripe",
      "--secret",
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "--body",
      body,
      "--id",
      "msg_other",
      "--json",
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: "evt_1Ab2Cd3" });
    expect(result.stderr).toContain("evt_1Ab2Cd3");
    const unnamed = await capture([
      "sign",
      "--scheme",
      "stripe",
      "--secret",
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "--body",
      body,
      "--json",
    ]);
    expect(JSON.parse(unnamed.stdout)).toMatchObject({ id: "evt_1Ab2Cd3" });
    expect(unnamed.stderr).toBe("");
  });

  it("verify with no headers at all is a usage error (exit 2); with a signature header missing, a refusal (exit 1)", async () => {
    const secret = "github-s3cret-not-real";
    const none = await capture(["verify", "--scheme", "github", "--secret", secret, "--body", "{}"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--header");
    const some = await capture([
      "verify",
      "--scheme",
      "github",
      "--secret",
      secret,
      "--body",
      "{}",
      "--json",
      "--header",
      "x-github-delivery: d-1",
    ]);
    expect(some.code).toBe(1);
    expect(JSON.parse(some.stdout)).toMatchObject({ accepted: false, code: "missing_header" });
  });
});

/** What a scheme wrote into the body (Mailgun's, Adyen's signatures): the long tokens `sent` has and `body` has not. */
function proofOf(body: string, sent: string): string[] {
  return (sent.match(/[A-Za-z0-9+/=_-]{16,}/g) ?? []).filter((token) => !body.includes(token));
}

/** `sent` with one character changed in the middle of the longest token the scheme wrote into it. */
function tamperInserted(body: string, sent: string): string {
  const [longest = ""] = proofOf(body, sent).sort((a, b) => b.length - a.length);
  const at = sent.indexOf(longest) + Math.floor(longest.length / 2);
  return sent.slice(0, at) + (sent[at] === "0" ? "1" : "0") + sent.slice(at + 1);
}
