import { type AsymmetricKey, type AsymmetricKeyData, cryptoBackend, ED25519_SPKI_PREFIX } from "#crypto";
import { WebhookError } from "../errors/webhook-error.js";
import type { Awaitable } from "../lib/awaitable.js";
import { decodeBase64 } from "../lib/base64.js";
import { concatBytes } from "../lib/concat.js";
import { decodeHex, encodeHex } from "../lib/hex.js";
import type { ResolvedAlgorithm } from "../schemes/signature/algorithm.js";

/**
 * A public or private key: PEM (`PUBLIC KEY`, `PRIVATE KEY`, or a `CERTIFICATE` whose key is
 * used), DER bytes, a JWK, text in the scheme's key encoding (SendGrid: base64 DER; Discord:
 * hex of the raw Ed25519 key), or any of these with an `id` for logs.
 */
export type KeyInput =
  | string
  | Uint8Array
  | JsonWebKey
  | { readonly id?: string; readonly key: string | Uint8Array | JsonWebKey };

/** Looks a tenant's public keys up at verification time. */
export type KeyLookup = (context: {
  readonly tenant: string | undefined;
}) => Awaitable<KeyInput | readonly KeyInput[] | undefined>;

// For schemes that read a certificate's key themselves; an unused re-export costs
// nothing in a tree-shaken bundle (`sideEffects: false`).
export { certificatePublicKey } from "./certificate-public-key.js";

/** How key text that is not PEM is written. */
export type KeyEncoding = "base64" | "hex";

/**
 * Key material as configured: a certificate's public key is read when the key is
 * imported, so the X.509 parser loads only for users who configure a certificate.
 */
type DecodedKeyData = AsymmetricKeyData | { readonly format: "certificate"; readonly der: Uint8Array };

/** A decoded key, not yet imported. */
export interface RawAsymmetricKey {
  readonly id: string | undefined;
  readonly data: DecodedKeyData;
}

/** An imported key: verifies always, signs when it is private. */
export interface PreparedAsymmetricKey {
  readonly id: string;
  readonly publicKey: AsymmetricKey;
  readonly privateKey: AsymmetricKey | undefined;
  /** The public key as DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

const PEM = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n?([A-Za-z0-9+/=\s]+)-----END \1-----\s*$/;
const MAX_KEY_BYTES = 16 * 1024;
const KEY_KIND: Record<string, string> = {
  Ed25519: "ed25519",
  ECDSA: "ecdsa",
  "RSASSA-PKCS1-v1_5": "rsa",
  "RSA-PSS": "rsa",
};

function invalid(message: string, cause?: unknown): WebhookError {
  return new WebhookError("invalid_options", message, cause === undefined ? undefined : { cause });
}

function fromPem(text: string): DecodedKeyData {
  const match = PEM.exec(text.trim());
  const der = match === null ? undefined : decodeBase64((match[2] ?? "").replace(/\s+/g, ""));
  if (match === null || der === undefined) throw invalid("the key is not one well-formed PEM block");
  switch (match[1]) {
    case "PUBLIC KEY":
      return { format: "spki", der };
    case "PRIVATE KEY":
      return { format: "pkcs8", der };
    case "CERTIFICATE":
      return { format: "certificate", der };
    default:
      throw invalid(
        `PEM ${match[1]} is not supported: convert it with \`openssl pkey -in key.pem -pubout\` (public) or \`openssl pkcs8 -topk8 -nocrypt\` (private)`,
      );
  }
}

function fromBytes(bytes: Uint8Array, algorithm: ResolvedAlgorithm): AsymmetricKeyData {
  // A raw 32-byte Ed25519 public key (Discord writes it in hex) is wrapped as SPKI.
  if (algorithm.asymmetric?.name === "Ed25519" && bytes.length === 32)
    return { format: "spki", der: concatBytes([ED25519_SPKI_PREFIX, bytes]) };
  // SEQUENCE { INTEGER version, ... } is PKCS #8; SEQUENCE { SEQUENCE algorithm, ... } is SPKI.
  const lengthBytes = (bytes[1] ?? 0) & 0x80 ? ((bytes[1] ?? 0) & 0x7f) + 2 : 2;
  if (bytes[0] !== 0x30) throw invalid("the key is not DER, PEM or a JWK");
  return { format: bytes[lengthBytes] === 0x02 ? "pkcs8" : "spki", der: bytes };
}

/** Decodes one key input (not imported yet); throws `invalid_options`: keys come from configuration. */
export function decodeKeyInput(
  input: KeyInput,
  algorithm: ResolvedAlgorithm,
  encoding: KeyEncoding = "base64",
): RawAsymmetricKey {
  const entry =
    typeof input === "object" && input !== null && "key" in input && !(input instanceof Uint8Array)
      ? input
      : { id: undefined, key: input };
  const { key } = entry as { id?: string; key: unknown };
  const id = (entry as { id?: string }).id;
  if (key instanceof Uint8Array) {
    if (key.length === 0 || key.length > MAX_KEY_BYTES) throw invalid("the key is empty or too long");
    return { id, data: fromBytes(key, algorithm) };
  }
  if (typeof key === "string") {
    if (key.length === 0 || key.length > 4 * MAX_KEY_BYTES) {
      throw invalid(
        "the key is empty or too long; if it comes from the environment, is the variable set where this runs?",
      );
    }
    if (key.trimStart().startsWith("-----BEGIN ")) return { id, data: fromPem(key) };
    const bytes = encoding === "hex" ? decodeHex(key.trim()) : decodeBase64(key.trim());
    if (bytes === undefined || bytes.length === 0) throw invalid(`the key is neither PEM nor ${encoding}`);
    return { id, data: fromBytes(bytes, algorithm) };
  }
  if (typeof key === "object" && key !== null && typeof (key as JsonWebKey).kty === "string")
    return { id, data: { format: "jwk", jwk: key as JsonWebKey } };
  throw invalid("a key is a PEM or encoded string, DER bytes, or a JWK");
}

/** Imports a decoded key for the algorithm; its default id is a fingerprint of the public key, safe to log. */
export async function prepareAsymmetricKey(
  raw: RawAsymmetricKey,
  algorithm: ResolvedAlgorithm,
): Promise<PreparedAsymmetricKey> {
  const asymmetric = algorithm.asymmetric;
  if (asymmetric === undefined) throw invalid(`${algorithm.name} takes a secret, not a key pair`);
  let data: AsymmetricKeyData;
  if (raw.data.format === "certificate") {
    const spki = (await import("./certificate-public-key.js")).certificatePublicKey(raw.data.der);
    if (spki === undefined) throw invalid("the certificate could not be read");
    data = { format: "spki", der: spki };
  } else {
    data = raw.data;
  }
  let imported: Awaited<ReturnType<typeof cryptoBackend.importAsymmetricKey>>;
  try {
    imported = await cryptoBackend.importAsymmetricKey(asymmetric, data);
  } catch (cause) {
    throw invalid(`the key is not a valid ${algorithm.name} key`, cause);
  }
  // Ed25519 ids fingerprint the raw point, as Standard Webhooks keys always have.
  const fingerprinted =
    asymmetric.name === "Ed25519" ? imported.spki.subarray(ED25519_SPKI_PREFIX.length) : imported.spki;
  const kind = KEY_KIND[asymmetric.name] ?? "key";
  const id = raw.id ?? `${kind}:${encodeHex((await cryptoBackend.digest("SHA-256", fingerprinted)).subarray(0, 6))}`;
  return {
    id,
    publicKey: imported.publicKey,
    privateKey: imported.key.type === "private" ? imported.key : undefined,
    spki: imported.spki,
  };
}
