import { type JsonWebKey, type KeyObject, generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { oneOf, parseCommandArgs } from "../lib/args.js";
import type { Command } from "../lib/command.js";
import { ensureDirectory, refuseExisting, writeNewFile } from "../lib/files.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { jwkThumbprint } from "../lib/jwk.js";
import { printFields, printJson } from "../lib/output.js";

/**
 * The key types `hooksec keypair --type` and `createKeyPair` generate: Ed25519 for
 * Standard Webhooks v1a, ES256/RS256 for JWS signing, ECDH-ES/RSA-OAEP for JWE encryption.
 */
export type KeyType = "ed25519" | JoseKeyType;

/** The key types generated as JWKs, for the `jws` and `jwe` schemes. */
export type JoseKeyType = "es256" | "rs256" | "ecdh-p256" | "rsa-oaep";

/** Every {@link KeyType}, in the order the CLI's help lists them (for validating user input). */
export const KEY_TYPES = ["ed25519", "es256", "rs256", "ecdh-p256", "rsa-oaep"] as const satisfies readonly KeyType[];

/** An Ed25519 key pair as Standard Webhooks strings: what `standardWebhooks({ privateKey })` and `({ publicKey })` take. */
export interface Ed25519KeyPair {
  readonly type: "ed25519";
  /** Only names the files `--out` writes: `whsk_`/`whpk_` strings carry no key id. */
  readonly kid: string | undefined;
  /** `whsk_` and base64 of the 32-byte seed followed by the 32-byte public key. */
  readonly privateKey: string;
  /** `whpk_` and base64 of the 32-byte public key. */
  readonly publicKey: string;
}

/** A JOSE key pair as JWKs carrying `kid`, `alg` and `use`: what `jws` and `jwe` take. */
export interface JoseKeyPair {
  readonly type: JoseKeyType;
  readonly kid: string;
  readonly privateKey: JsonWebKey;
  readonly publicKey: JsonWebKey;
}

/** A new key pair of any {@link KeyType}: narrow it on `type`. */
export type GeneratedKeyPair = Ed25519KeyPair | JoseKeyPair;

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
 * The key type's literal picks the result type, so an Ed25519 pair goes straight into
 * `standardWebhooks` without narrowing.
 *
 * @example
 * const { privateKey, publicKey } = createKeyPair("ed25519"); // "whsk_...", "whpk_..."
 * standardWebhooks({ privateKey }); // signs v1a
 */
export function createKeyPair(type: "ed25519", kid?: string): Ed25519KeyPair;
export function createKeyPair(type: JoseKeyType, kid?: string): JoseKeyPair;
export function createKeyPair(type: KeyType, kid?: string): GeneratedKeyPair;
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

type FileRole = "private" | "public" | "jwks";

/** A new key pair with how it prints and which files hold it (private first: mode 0600). */
interface KeyPairOutput {
  readonly pair: GeneratedKeyPair;
  readonly printed: { readonly private: string; readonly public: string };
  readonly files: readonly { readonly role: FileRole; readonly suffix: string; readonly content: string }[];
}

/** Ed25519 keys are one-line strings; JOSE keys are JWKs plus a JWKS for the receiver's `jws({ jwks })`. */
function generateOutput(type: KeyType, kid: string | undefined): KeyPairOutput {
  if (type === "ed25519") {
    const pair = createKeyPair(type, kid);
    return {
      pair,
      printed: { private: pair.privateKey, public: pair.publicKey },
      files: [
        { role: "private", suffix: ".whsk", content: `${pair.privateKey}\n` },
        { role: "public", suffix: ".whpk", content: `${pair.publicKey}\n` },
      ],
    };
  }
  const pair = createKeyPair(type, kid);
  const pretty = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    pair,
    printed: { private: JSON.stringify(pair.privateKey), public: JSON.stringify(pair.publicKey) },
    files: [
      { role: "private", suffix: ".private.jwk.json", content: pretty(pair.privateKey) },
      { role: "public", suffix: ".public.jwk.json", content: pretty(pair.publicKey) },
      { role: "jwks", suffix: ".jwks.json", content: pretty({ keys: [pair.publicKey] }) },
    ],
  };
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
    const { pair, printed, files } = generateOutput(type, values.kid);
    if (values.out === undefined) {
      if (values.json) printJson(io, pair);
      else printFields(io, { kid: pair.kid, private: printed.private, public: printed.public });
      return EXIT.ok;
    }
    const base = join(values.out, fileBase(pair));
    const targets = files.map((file) => ({ ...file, path: `${base}${file.suffix}` }));
    const paths: Partial<Record<FileRole, string>> = Object.fromEntries(targets.map((file) => [file.role, file.path]));
    await ensureDirectory(values.out);
    await refuseExisting(targets.map((file) => file.path));
    for (const file of targets) await writeNewFile(file.path, file.content, { private: file.role === "private" });
    if (values.json) printJson(io, { type: pair.type, kid: pair.kid, files: paths, publicKey: pair.publicKey });
    else
      printFields(io, {
        type: pair.type,
        kid: pair.kid,
        "private key": paths.private,
        "public key": paths.public,
        jwks: paths.jwks,
        public: printed.public,
      });
    return EXIT.ok;
  },
};
