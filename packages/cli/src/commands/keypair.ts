import { type JsonWebKey, type KeyObject, generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { oneOf, parseCommandArgs } from "../lib/args.js";
import type { Command } from "../lib/command.js";
import { ensureDirectory, refuseExisting, writeNewFile } from "../lib/files.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { jwkThumbprint } from "../lib/jwk.js";
import { printFields, printJson } from "../lib/output.js";

export const KEY_TYPES = ["ed25519", "es256", "rs256", "ecdh-p256", "rsa-oaep"] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** A new key pair: Ed25519 as Standard Webhooks strings, the JOSE types as JWKs. */
export type GeneratedKeyPair =
  | {
      readonly type: "ed25519";
      readonly kid: string | undefined;
      readonly privateKey: string;
      readonly publicKey: string;
    }
  | {
      readonly type: Exclude<KeyType, "ed25519">;
      readonly kid: string;
      readonly privateKey: JsonWebKey;
      readonly publicKey: JsonWebKey;
    };

/** What each JOSE type is for, as `alg` and `use` of its JWKs (the algorithms `jws`/`jwe` accept). */
const JOSE_TYPES = {
  es256: { alg: "ES256", use: "sig" },
  rs256: { alg: "RS256", use: "sig" },
  "ecdh-p256": { alg: "ECDH-ES+A256KW", use: "enc" },
  "rsa-oaep": { alg: "RSA-OAEP-256", use: "enc" },
} as const;

function generate(type: KeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (type) {
    case "ed25519":
      return generateKeyPairSync("ed25519");
    case "es256":
    case "ecdh-p256":
      return generateKeyPairSync("ec", { namedCurve: "P-256" });
    case "rs256":
    case "rsa-oaep":
      return generateKeyPairSync("rsa", { modulusLength: 2048 });
  }
}

/**
 * Generates a key pair. Ed25519 comes as `whsk_` (seed then public key, 64 bytes, as the
 * Standard Webhooks libraries write it) and `whpk_`; the JOSE types as private and public
 * JWKs carrying `kid` (default: the RFC 7638 thumbprint), `alg` and `use`.
 *
 * @example
 * const { privateKey, publicKey } = createKeyPair("ed25519"); // "whsk_...", "whpk_..."
 * standardWebhooks({ privateKey }); // signs v1a
 */
export function createKeyPair(type: KeyType, kid?: string): GeneratedKeyPair {
  const pair = generate(type);
  const privateJwk = pair.privateKey.export({ format: "jwk" });
  const publicJwk = pair.publicKey.export({ format: "jwk" });
  if (type === "ed25519") {
    const seed = Buffer.from(String(privateJwk.d), "base64url");
    const point = Buffer.from(String(publicJwk.x), "base64url");
    return {
      type,
      kid,
      privateKey: `whsk_${Buffer.concat([seed, point]).toString("base64")}`,
      publicKey: `whpk_${point.toString("base64")}`,
    };
  }
  const keyId = kid ?? jwkThumbprint(publicJwk);
  const { alg, use } = JOSE_TYPES[type];
  return {
    type,
    kid: keyId,
    privateKey: { ...privateJwk, kid: keyId, alg, use },
    publicKey: { ...publicJwk, kid: keyId, alg, use },
  };
}

/** A file name from a kid: no path separators or other surprises. */
function fileBase(pair: GeneratedKeyPair): string {
  return (pair.kid ?? pair.type).replace(/[^A-Za-z0-9._-]/g, "-").replace(/^\.+/, "_");
}

export const keypairCommand: Command = {
  name: "keypair",
  summary: "a new signing or encryption key pair (Ed25519 whsk_/whpk_, or JWK)",
  help: `Usage: hooksec keypair --type ed25519|es256|rs256|ecdh-p256|rsa-oaep [--kid K] [--out DIR] [--json]

Generates a key pair with node:crypto.
  ed25519     Standard Webhooks v1a: whsk_ (private) and whpk_ (public) keys
  es256       JWS signing, P-256 (alg ES256)
  rs256       JWS signing, RSA 2048 (alg RS256)
  ecdh-p256   JWE encryption, P-256 (alg ECDH-ES+A256KW)
  rsa-oaep    JWE encryption, RSA 2048 (alg RSA-OAEP-256)

Without --out the keys are printed. With --out DIR they are written as files
(private ones with mode 0600, never overwriting a file), named after the kid:
  ed25519:  <kid>.whsk, <kid>.whpk
  JOSE:     <kid>.private.jwk.json, <kid>.public.jwk.json, <kid>.jwks.json
            (the JWKS is what a receiver's jws({ jwks }) takes)

Options:
  --type T     the key type (required)
  --kid K      key id (JOSE default: the RFC 7638 thumbprint; ed25519: file name only)
  --out DIR    write files into DIR (created if missing)
  --json       print the result as JSON
`,
  async run(args: readonly string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, {
      type: { type: "string" },
      kid: { type: "string" },
      out: { type: "string" },
      json: { type: "boolean" },
    });
    const type = oneOf(values.type, "type", KEY_TYPES);
    const pair = createKeyPair(type, values.kid);
    if (values.out === undefined) {
      if (values.json) printJson(io, pair);
      else if (pair.type === "ed25519")
        printFields(io, { kid: pair.kid, private: pair.privateKey, public: pair.publicKey });
      else
        printFields(io, {
          kid: pair.kid,
          private: JSON.stringify(pair.privateKey),
          public: JSON.stringify(pair.publicKey),
        });
      return EXIT.ok;
    }
    const base = join(values.out, fileBase(pair));
    const files =
      pair.type === "ed25519"
        ? { private: `${base}.whsk`, public: `${base}.whpk` }
        : { private: `${base}.private.jwk.json`, public: `${base}.public.jwk.json`, jwks: `${base}.jwks.json` };
    await ensureDirectory(values.out);
    await refuseExisting(Object.values(files));
    if (pair.type === "ed25519") {
      await writeNewFile(files.private, `${pair.privateKey}\n`, { private: true });
      await writeNewFile(files.public, `${pair.publicKey}\n`);
    } else {
      await writeNewFile(files.private, `${JSON.stringify(pair.privateKey, null, 2)}\n`, { private: true });
      await writeNewFile(files.public, `${JSON.stringify(pair.publicKey, null, 2)}\n`);
      if (files.jwks !== undefined)
        await writeNewFile(files.jwks, `${JSON.stringify({ keys: [pair.publicKey] }, null, 2)}\n`);
    }
    const publicKey = pair.type === "ed25519" ? pair.publicKey : JSON.stringify(pair.publicKey);
    if (values.json) printJson(io, { type: pair.type, kid: pair.kid, files, publicKey: pair.publicKey });
    else
      printFields(io, {
        type: pair.type,
        kid: pair.kid,
        "private key": files.private,
        "public key": files.public,
        jwks: files.jwks,
        public: publicKey,
      });
    return EXIT.ok;
  },
};
