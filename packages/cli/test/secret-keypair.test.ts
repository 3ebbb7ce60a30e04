import { createPrivateKey, createPublicKey, type JsonWebKey } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createVerifier, type JoseKeyInput, type JwksInput, jwe, jws, standardWebhooks } from "@hooksec/core";
import { afterAll, describe, expect, it } from "vitest";
import { hooksec, json, tempDir } from "./run-cli.js";

const temp = tempDir();
afterAll(() => temp.remove());

const mode = (path: string) => statSync(path).mode & 0o777;

describe("hooksec secret", () => {
  it("prints a whsec_ secret of 32 random bytes, new every time", async () => {
    const [first, second] = await Promise.all([hooksec(["secret"]), hooksec(["secret"])]);
    expect(first.code).toBe(0);
    const secret = first.stdout.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(second.stdout.trim()).not.toBe(secret);
    // Core accepts it as a Standard Webhooks secret.
    const headers = await standardWebhooks({ secret }).sign({ id: "msg_1", timestamp: new Date(), body: "{}" });
    expect(headers["webhook-signature"]).toMatch(/^v1,/);
  });

  it("takes --bytes, --prefix, --encoding and --json", async () => {
    const result = await hooksec(["secret", "--bytes", "48", "--prefix", "", "--encoding", "hex", "--json"]);
    expect(result.code).toBe(0);
    expect(json<{ secret: string }>(result).secret).toMatch(/^[0-9a-f]{96}$/);
  });

  it.each([
    [["secret", "--bytes", "8"]],
    [["secret", "--bytes", "x"]],
    [["secret", "--encoding", "base32"]],
    [["secret", "--nope"]],
    [["secret", "extra"]],
  ])("refuses %j as a usage error (exit 2)", async (args) => {
    const result = await hooksec(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("hooksec secret --help");
  });
});

describe("hooksec keypair", () => {
  it("writes Ed25519 whsk_ (0600) and whpk_ keys that sign and verify Standard Webhooks v1a", async () => {
    const out = join(temp.dir, "ed");
    const result = await hooksec(["keypair", "--type", "ed25519", "--kid", "sender-2026", "--out", out]);
    expect(result.code).toBe(0);
    const privateKey = readFileSync(join(out, "sender-2026.whsk"), "utf8").trim();
    const publicKey = readFileSync(join(out, "sender-2026.whpk"), "utf8").trim();
    expect(mode(join(out, "sender-2026.whsk"))).toBe(0o600);
    expect(mode(join(out, "sender-2026.whpk"))).toBe(0o644);
    expect(privateKey).toMatch(/^whsk_/);
    expect(Buffer.from(privateKey.slice(5), "base64")).toHaveLength(64);
    expect(result.stdout).toContain(publicKey);

    const message = { id: "msg_1", timestamp: new Date(), body: '{"type":"ping"}' };
    const headers = await standardWebhooks({ privateKey }).sign(message);
    expect(headers["webhook-signature"]).toMatch(/^v1a,/);
    const verifier = createVerifier({ scheme: standardWebhooks({ publicKey }) });
    const webhook = await verifier.verifyParts({
      method: "POST",
      url: "https://localhost/",
      headers,
      body: new TextEncoder().encode(message.body),
    });
    expect(webhook.id).toBe("msg_1");
  });

  it.each([
    ["es256", "EC", "ES256", "sig"],
    ["rs256", "RSA", "RS256", "sig"],
    ["ecdh-p256", "EC", "ECDH-ES+A256KW", "enc"],
    ["rsa-oaep", "RSA", "RSA-OAEP-256", "enc"],
  ] as const)(
    "writes %s JWKs that node:crypto imports (private 0600, kid = thumbprint)",
    async (type, kty, alg, use) => {
      const out = join(temp.dir, type);
      const result = await hooksec(["keypair", "--type", type, "--out", out, "--json"]);
      expect(result.code).toBe(0);
      const { kid, files } = json<{ kid: string; files: { private: string; public: string; jwks: string } }>(result);
      expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(mode(files.private)).toBe(0o600);
      expect(mode(files.public)).toBe(0o644);
      const privateJwk = JSON.parse(readFileSync(files.private, "utf8")) as JsonWebKey;
      const publicJwk = JSON.parse(readFileSync(files.public, "utf8")) as JsonWebKey;
      expect(privateJwk).toMatchObject({ kty, alg, use, kid });
      expect(publicJwk).toMatchObject({ kty, alg, use, kid });
      expect(publicJwk.d).toBeUndefined();
      expect(JSON.parse(readFileSync(files.jwks, "utf8"))).toEqual({ keys: [publicJwk] });
      // The private key is the public key's other half.
      const derivedPublic = createPublicKey(createPrivateKey({ key: privateJwk, format: "jwk" })).export({
        format: "jwk",
      });
      expect(derivedPublic).toEqual(createPublicKey({ key: publicJwk, format: "jwk" }).export({ format: "jwk" }));
    },
  );

  it("makes keys core's jws and jwe use as they are", async () => {
    const run = async (type: string) =>
      json<{ privateKey: JsonWebKey; publicKey: JsonWebKey }>(await hooksec(["keypair", "--type", type, "--json"]));
    const [signing, encryption] = await Promise.all([run("es256"), run("ecdh-p256")]);
    const sender = jwe({
      publicKey: encryption.publicKey as JoseKeyInput,
      alg: "ECDH-ES+A256KW",
      inner: jws({ privateKey: signing.privateKey as JoseKeyInput, alg: "ES256" }),
    });
    const receiver = jwe({
      privateKey: encryption.privateKey as JoseKeyInput,
      alg: "ECDH-ES+A256KW",
      inner: jws({ jwks: { keys: [signing.publicKey] } as JwksInput, algorithms: ["ES256"] }),
    });
    const encoded = await sender.encode({ id: "evt_1", timestamp: new Date(), body: '{"type":"ping"}' });
    const body = typeof encoded.body === "string" ? new TextEncoder().encode(encoded.body) : encoded.body;
    const webhook = await createVerifier({ scheme: receiver }).verifyParts({
      method: "POST",
      url: "https://localhost/",
      headers: encoded.headers,
      body,
    });
    expect(webhook.id).toBe("evt_1");
  });

  it("prints the keys without --out, and never overwrites a key file", async () => {
    const printed = await hooksec(["keypair", "--type", "ed25519"]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/private: +whsk_\S+\npublic: +whpk_\S+\n/);

    const out = join(temp.dir, "twice");
    expect((await hooksec(["keypair", "--type", "es256", "--kid", "k1", "--out", out])).code).toBe(0);
    const before = readFileSync(join(out, "k1.private.jwk.json"), "utf8");
    const again = await hooksec(["keypair", "--type", "es256", "--kid", "k1", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("refusing to overwrite");
    expect(readFileSync(join(out, "k1.private.jwk.json"), "utf8")).toBe(before);
  });

  it("keeps files named after a hostile kid inside --out", async () => {
    const out = join(temp.dir, "hostile");
    const result = await hooksec(["keypair", "--type", "ed25519", "--kid", "../../escape", "--out", out, "--json"]);
    expect(result.code).toBe(0);
    const { files } = json<{ files: { private: string; public: string } }>(result);
    expect(files.private).toBe(join(out, "_-..-escape.whsk"));
    expect(mode(files.private)).toBe(0o600);
  });

  it.each([[["keypair"]], [["keypair", "--type", "dsa"]], [["keypair", "--type"]]])(
    "refuses %j as a usage error (exit 2)",
    async (args) => {
      const result = await hooksec(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("--type");
    },
  );
});
