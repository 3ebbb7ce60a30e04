import { cryptoBackend } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { encodeBase64 } from "../../lib/base64.js";
import { toBytes } from "../../lib/utf8.js";
import {
  decodeEd25519Key,
  type Ed25519KeyInput,
  PRIVATE_KEY_PREFIX,
  PUBLIC_KEY_PREFIX,
  type PreparedEd25519Key,
  prepareEd25519Key,
} from "../../keys/ed25519-keys.js";
import { createHmacKeyring, type HmacKeyring } from "../../keys/keyring.js";
import type { SecretInput } from "../../keys/secret-input.js";
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

/**
 * Standard Webhooks with Ed25519 (`v1a`) keys, alone or mixed with HMAC (`v1`)
 * secrets during a migration: verifies either kind against its keys, signs with
 * the first secret and the first private key (one entry each).
 */
export function defineStandardScheme(name: string, headers: StandardHeaderNames, keys: StandardKeys): WebhookScheme {
  const format = standardHmacFormat(name, headers);
  const hmacKeyring: HmacKeyring | undefined =
    keys.secrets.length > 0 ? createHmacKeyring({ secrets: keys.secrets }, "SHA-256", decodeStandardSecret) : undefined;
  const rawEdKeys = [
    ...keys.privateKeys.map((input) => decodeEd25519Key(input, "private")),
    ...keys.publicKeys.map((input) => decodeEd25519Key(input, "public")),
  ];
  let edKeys: Promise<readonly PreparedEd25519Key[]> | undefined;
  const preparedEdKeys = () => {
    edKeys ??= Promise.all(rawEdKeys.map(prepareEd25519Key));
    return edKeys;
  };

  async function verify(incoming: Parameters<WebhookScheme["verify"]>[0]): Promise<SchemeVerification> {
    // Parses id, timestamp and the whole signature list strictly (v1 entries are returned).
    const fields = await format.read(incoming);
    const asymmetric = parseSignatureList(requireHeader(incoming.header, headers.signature), "v1a", headers.signature);
    const content = format.signedContent(fields, incoming.body);
    const timestamp = new Date(Number(fields.timestamp) * 1000);
    const id = fields.id ?? "";
    if (hmacKeyring !== undefined && fields.signatures.length > 0) {
      for (const { id: keyId, key } of await hmacKeyring.keysFor(undefined)) {
        const expected = await cryptoBackend.hmac(key, content);
        for (const candidate of fields.signatures) {
          if (cryptoBackend.timingSafeEqual(expected, candidate)) return { id, timestamp, keyId };
        }
      }
    }
    if (asymmetric.length > 0) {
      for (const key of await preparedEdKeys()) {
        for (const candidate of asymmetric) {
          if (await cryptoBackend.ed25519Verify(key.publicKey, candidate, content)) return { id, timestamp, keyId: key.id };
        }
      }
    }
    throw new WebhookError("invalid_signature", `no ${name} v1 or v1a signature matched`);
  }

  async function sign(message: Parameters<WebhookScheme["sign"]>[0]) {
    const fields = format.fieldsFor(message);
    const content = format.signedContent(fields, toBytes(message.body));
    const entries: string[] = [];
    const secret = hmacKeyring === undefined ? undefined : (await hmacKeyring.keysFor(undefined))[0];
    if (secret !== undefined) entries.push(`v1,${encodeBase64(await cryptoBackend.hmac(secret.key, content))}`);
    const signer = (await preparedEdKeys()).find((key) => key.privateKey !== undefined);
    if (signer?.privateKey !== undefined) {
      entries.push(`v1a,${encodeBase64(await cryptoBackend.ed25519Sign(signer.privateKey, content))}`);
    }
    if (entries.length === 0) throw new WebhookError("invalid_options", `${name} has only public keys: pass a privateKey to sign`);
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
