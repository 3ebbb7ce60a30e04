import { cryptoBackend } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { encodeBase64 } from "../../lib/base64.js";
import { joinParts } from "../../lib/concat.js";
import { toBytes } from "../../lib/utf8.js";
import {
  decodeEd25519Key,
  type Ed25519KeyInput,
  PRIVATE_KEY_PREFIX,
  PUBLIC_KEY_PREFIX,
  type PreparedEd25519Key,
  prepareEd25519Key,
} from "../../keys/ed25519-keys.js";
import { createHmacKeyring, decodeInput, type PreparedHmacKey, prepareKey } from "../../keys/keyring.js";
import type { SecretInput, SecretLookup } from "../../keys/secret-input.js";
import { encodeHex } from "../../lib/hex.js";
import { requireHeader } from "../hmac/fields.js";
import type { SchemeVerification, WebhookScheme } from "../types.js";
import { decodeStandardSecret, type StandardHeaderNames, standardHmacFormat } from "./format.js";
import { parseSignatureList } from "./signature-list.js";

/** Every key of a Standard Webhooks keyring, sorted by kind, in the order given. */
export interface StandardKeys {
  readonly secrets: readonly SecretInput[];
  readonly privateKeys: readonly Ed25519KeyInput[];
  readonly publicKeys: readonly Ed25519KeyInput[];
}

/** Sorts keyring entries by their prefix: `whsk_` private, `whpk_` public, anything else an HMAC secret. */
export function sortStandardKeys(inputs: readonly SecretInput[]): StandardKeys {
  const secrets: SecretInput[] = [];
  const privateKeys: Ed25519KeyInput[] = [];
  const publicKeys: Ed25519KeyInput[] = [];
  for (const input of inputs) {
    const entry = typeof input === "object" && !(input instanceof Uint8Array) ? input : { id: undefined, secret: input };
    const text = typeof entry.secret === "string" ? entry.secret : "";
    if (text.startsWith(PRIVATE_KEY_PREFIX)) privateKeys.push({ id: entry.id, key: text });
    else if (text.startsWith(PUBLIC_KEY_PREFIX)) publicKeys.push({ id: entry.id, key: text });
    else secrets.push(input);
  }
  return { secrets, privateKeys, publicKeys };
}

/** The keys of one tenant (or of everyone, for static keys), ready to use. */
export interface StandardKeyMaterial {
  readonly secrets: readonly PreparedHmacKey[];
  readonly ed25519: readonly PreparedEd25519Key[];
}

/** Where the keys come from: fixed in the options, or looked up per tenant. */
export type StandardKeySource = StandardKeys | SecretLookup;

const MAX_CACHED_LOOKUP_KEYS = 1024;

/**
 * `v1a` signatures tried per request. Ed25519 hashes the whole message again for every
 * (key, signature) pair, so an unauthenticated header listing many signatures would buy
 * keys × signatures body hashes; a sender rotating its own key signs with two at most.
 */
export const MAX_ASYMMETRIC_SIGNATURES = 2;

function remember<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_CACHED_LOOKUP_KEYS) cache.delete(cache.keys().next().value as string);
    value = make();
    // a key that failed to import is not remembered
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

function staticKeys(keys: StandardKeys): (tenant: string | undefined) => Promise<StandardKeyMaterial> {
  const hmacKeyring = keys.secrets.length > 0 ? createHmacKeyring({ secrets: keys.secrets }, "SHA-256", decodeStandardSecret) : undefined;
  const rawEdKeys = [
    ...keys.privateKeys.map((input) => decodeEd25519Key(input, "private")),
    ...keys.publicKeys.map((input) => decodeEd25519Key(input, "public")),
  ];
  let material: Promise<StandardKeyMaterial> | undefined;
  return () => {
    material ??= (async () => ({
      secrets: hmacKeyring === undefined ? [] : await hmacKeyring.keysFor(undefined),
      ed25519: await Promise.all(rawEdKeys.map(prepareEd25519Key)),
    }))();
    return material;
  };
}

function lookedUpKeys(lookup: SecretLookup): (tenant: string | undefined) => Promise<StandardKeyMaterial> {
  // Imported keys are cached by their content, so a lookup per request does not re-import.
  const hmacCache = new Map<string, Promise<PreparedHmacKey>>();
  const edCache = new Map<string, Promise<PreparedEd25519Key>>();
  return async (tenant) => {
    let found: SecretInput | readonly SecretInput[] | undefined;
    try {
      found = await lookup({ tenant });
    } catch (cause) {
      throw new WebhookError("invalid_options", "the secrets lookup failed", { cause });
    }
    if (found === undefined) return { secrets: [], ed25519: [] };
    const keys = sortStandardKeys(Array.isArray(found) ? found : [found as SecretInput]);
    const secrets = keys.secrets.map((input) => {
      const raw = decodeInput(input, decodeStandardSecret);
      return remember(hmacCache, `${raw.id ?? ""}:${encodeHex(raw.bytes)}`, () => prepareKey(raw, "SHA-256"));
    });
    const ed25519 = [
      ...keys.privateKeys.map((input) => ["private", input] as const),
      ...keys.publicKeys.map((input) => ["public", input] as const),
    ].map(([type, input]) => {
      const raw = decodeEd25519Key(input, type);
      return remember(edCache, `${type}:${raw.id ?? ""}:${encodeHex(raw.bytes)}`, () => prepareEd25519Key(raw));
    });
    return { secrets: await Promise.all(secrets), ed25519: await Promise.all(ed25519) };
  };
}

/**
 * Standard Webhooks with Ed25519 (`v1a`) keys, alone or mixed with HMAC (`v1`)
 * secrets during a migration: verifies either kind against its keys, signs with
 * the first secret and the first private key (one entry each).
 */
export function defineStandardScheme(name: string, headers: StandardHeaderNames, source: StandardKeySource): WebhookScheme {
  const format = standardHmacFormat(name, headers);
  const keysFor = typeof source === "function" ? lookedUpKeys(source) : staticKeys(source);

  async function verify(incoming: Parameters<WebhookScheme["verify"]>[0]): Promise<SchemeVerification> {
    // Parses id, timestamp and the whole signature list strictly (v1 entries are returned).
    const fields = await format.read(incoming);
    const asymmetric = parseSignatureList(requireHeader(incoming.header, headers.signature), "v1a", headers.signature);
    if (asymmetric.length > MAX_ASYMMETRIC_SIGNATURES) {
      throw new WebhookError("malformed_header", `more than ${MAX_ASYMMETRIC_SIGNATURES} v1a signatures in ${headers.signature}`);
    }
    const content = format.signedContent(fields, incoming.body);
    const timestamp = new Date(Number(fields.timestamp) * 1000);
    const id = fields.id ?? "";
    const keys = await keysFor(incoming.tenant);
    if (keys.secrets.length === 0 && keys.ed25519.length === 0) throw new WebhookError("invalid_signature", "no keys for this tenant");
    if (fields.signatures.length > 0) {
      for (const { id: keyId, key } of keys.secrets) {
        const expected = await cryptoBackend.hmac(key, content);
        for (const candidate of fields.signatures) {
          if (cryptoBackend.timingSafeEqual(expected, candidate)) return { id, timestamp, keyId };
        }
      }
    }
    if (asymmetric.length > 0 && keys.ed25519.length > 0) {
      // Ed25519 verifies one contiguous message: join it once, not once per try.
      const message = [joinParts(content)];
      for (const key of keys.ed25519) {
        for (const candidate of asymmetric) {
          if (await cryptoBackend.ed25519Verify(key.publicKey, candidate, message)) return { id, timestamp, keyId: key.id };
        }
      }
    }
    throw new WebhookError("invalid_signature", `no ${name} v1 or v1a signature matched`);
  }

  async function sign(message: Parameters<WebhookScheme["sign"]>[0]) {
    const fields = format.fieldsFor(message);
    const content = format.signedContent(fields, toBytes(message.body));
    const entries: string[] = [];
    const keys = await keysFor(message.tenant);
    const secret = keys.secrets[0];
    if (secret !== undefined) entries.push(`v1,${encodeBase64(await cryptoBackend.hmac(secret.key, content))}`);
    const signer = keys.ed25519.find((key) => key.privateKey !== undefined);
    if (signer?.privateKey !== undefined) {
      entries.push(`v1a,${encodeBase64(await cryptoBackend.ed25519Sign(signer.privateKey, content))}`);
    }
    if (entries.length === 0) throw new WebhookError("invalid_options", `${name} has no secret or private key to sign with`);
    return {
      [headers.id]: fields.id ?? "",
      [headers.timestamp]: fields.timestamp ?? "",
      [headers.signature]: entries.join(" "),
    };
  }

  return {
    name,
    timestamped: true,
    verify,
    sign,
    async encode(message) {
      return { headers: await sign(message), body: message.body };
    },
  };
}
