// The signature builder against signatures made by the openssl command line, on both crypto
// backends (core:node and core:web run this file). The seed use case: a sender signs the raw
// body with RSA-PSS (SHA-256, MGF1-SHA-256, salt 32, as Python's `cryptography` does with
// `salt_length=digest_size`) and sends the signature hex-encoded in a header.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasOpenssl, requireBinaries } from "@hooksec/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { encodeBase64 } from "../../lib/base64.js";
import { encodeHex } from "../../lib/hex.js";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import { signatureScheme } from "./signature-scheme.js";

const available = requireBinaries("the openssl signature interop tests", { openssl: hasOpenssl() });

describe.runIf(available)("signatures made by openssl", () => {
  const dir = mkdtempSync(join(tmpdir(), "hooksec-openssl-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const body = JSON.stringify({ event: "payment.settled", amount: 4200, note: "é ✓" });
  writeFileSync(join(dir, "body.json"), body);

  function keyPair(name: string, ...genpkey: string[]): { privatePem: string; publicPem: string } {
    openssl("genpkey", ...genpkey, "-out", `${name}.key`);
    openssl("pkey", "-in", `${name}.key`, "-pubout", "-out", `${name}.pub`);
    return {
      privatePem: readFileSync(join(dir, `${name}.key`), "utf8"),
      publicPem: readFileSync(join(dir, `${name}.pub`), "utf8"),
    };
  }
  const dgst = (key: string, file: string, ...options: string[]) => {
    openssl("dgst", "-sha256", ...options, "-sign", `${key}.key`, "-out", "sig.bin", file);
    return new Uint8Array(readFileSync(join(dir, "sig.bin")));
  };
  const opensslVerifies = (key: string, signature: Uint8Array, ...options: string[]) => {
    writeFileSync(join(dir, "ours.bin"), signature);
    try {
      openssl("dgst", "-sha256", ...options, "-verify", `${key}.pub`, "-signature", "ours.bin", "body.json");
      return true;
    } catch {
      return false;
    }
  };
  const rsa = keyPair("rsa", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
  const pss = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"];

  it("RSA-PSS seed case: one call verifies `openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32`, hex in a header", async () => {
    const scheme = signatureScheme({
      name: "partner",
      algorithm: "rsa-pss-sha256",
      signatureHeader: "x-signature",
      publicKey: rsa.publicPem,
    });
    const signature = encodeHex(dgst("rsa", "body.json", ...pss));
    const result = await scheme.verify(incomingWebhook({ "x-signature": signature }, body));
    expect(result.keyId).toMatch(/^rsa:[0-9a-f]{12}$/);
    expect(result.timestamp).toBeUndefined();
    expect(await codeOf(scheme.verify(incomingWebhook({ "x-signature": signature }, `${body} `)))).toBe(
      "invalid_signature",
    );
    // a PSS signature with another salt length is not this format's
    const salt20 = encodeHex(
      dgst("rsa", "body.json", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:20"),
    );
    expect(await codeOf(scheme.verify(incomingWebhook({ "x-signature": salt20 }, body)))).toBe("invalid_signature");
  });

  it("RSA-PSS: what the builder signs with the private key, openssl verifies", async () => {
    const sender = signatureScheme({
      name: "partner",
      algorithm: "rsa-pss-sha256",
      signatureHeader: "x-signature",
      privateKey: rsa.privatePem,
    });
    const headers = await sender.sign({ id: "m1", timestamp: new Date(), body });
    const signature = Uint8Array.from((headers["x-signature"] as string).match(/../g) ?? [], (pair) =>
      Number.parseInt(pair, 16),
    );
    expect(opensslVerifies("rsa", signature, ...pss)).toBe(true);
    await expect(sender.verify(incomingWebhook(headers, body))).resolves.toMatchObject({ keyId: expect.any(String) });
  });

  it("RSA PKCS#1 v1.5 (SHA-256), base64: both directions", async () => {
    const options = {
      name: "rsa1",
      algorithm: "rsa-pkcs1-sha256",
      signatureHeader: "x-sig",
      encoding: "base64",
    } as const;
    const signature = encodeBase64(dgst("rsa", "body.json"));
    await expect(
      signatureScheme({ ...options, publicKey: rsa.publicPem }).verify(incomingWebhook({ "x-sig": signature }, body)),
    ).resolves.toMatchObject({ keyId: expect.any(String) });
    const headers = await signatureScheme({ ...options, privateKey: rsa.privatePem }).sign({
      id: "m",
      timestamp: new Date(),
      body,
    });
    expect(headers["x-sig"]).toBe(signature); // PKCS#1 v1.5 is deterministic
  });

  it("ECDSA P-256 with DER signatures (openssl's form): both directions, and the raw form refuses DER", async () => {
    const ec = keyPair("ec", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
    const options = {
      name: "ec",
      algorithm: "ecdsa-p256-sha256",
      signatureHeader: "x-sig",
      encoding: "base64",
    } as const;
    const der = dgst("ec", "body.json");
    await expect(
      signatureScheme({ ...options, publicKey: ec.publicPem }).verify(
        incomingWebhook({ "x-sig": encodeBase64(der) }, body),
      ),
    ).resolves.toMatchObject({ keyId: expect.any(String) });
    const headers = await signatureScheme({ ...options, privateKey: ec.privatePem }).sign({
      id: "m",
      timestamp: new Date(),
      body,
    });
    expect(
      opensslVerifies(
        "ec",
        Uint8Array.from(atob(headers["x-sig"] as string), (c) => c.charCodeAt(0)),
      ),
    ).toBe(true);
    const raw = signatureScheme({ ...options, publicKey: ec.publicPem, signatureEncoding: "raw" });
    expect(await codeOf(raw.verify(incomingWebhook({ "x-sig": encodeBase64(der) }, body)))).toBe("malformed_header");
  });

  it("Ed25519: verifies openssl's signature over timestamp + body", async () => {
    const ed = keyPair("ed", "-algorithm", "ED25519");
    writeFileSync(join(dir, "signed.txt"), `1700000000${body}`);
    openssl("pkeyutl", "-sign", "-inkey", "ed.key", "-rawin", "-in", "signed.txt", "-out", "ed.sig");
    const signature = encodeHex(new Uint8Array(readFileSync(join(dir, "ed.sig"))));
    const scheme = signatureScheme({
      name: "ed",
      algorithm: "ed25519",
      signatureHeader: "x-signature-ed25519",
      timestampHeader: "x-signature-timestamp",
      signedContent: "{timestamp}{body}",
      publicKey: ed.publicPem,
    });
    const result = await scheme.verify(
      incomingWebhook({ "x-signature-ed25519": signature, "x-signature-timestamp": "1700000000" }, body),
    );
    expect(result.timestamp?.getTime()).toBe(1_700_000_000_000);
  });
});
