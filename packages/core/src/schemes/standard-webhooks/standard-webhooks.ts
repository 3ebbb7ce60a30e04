import { WebhookError } from "../../errors/webhook-error.js";
import type { SecretInput, SecretLookup, SecretOptions } from "../../keys/secret-input.js";
import { hmacKeyring } from "../../keys/signature-keyring.js";
import { defineSignatureScheme } from "../signature/define-signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { decodeStandardSecret, type StandardHeaderNames, standardFormat } from "./format.js";
import { lookedUpStandardKeyring, sortStandardKeys, standardKeyring, V1 } from "./keys.js";

/** Ed25519 (`v1a`) keys: `privateKey` signs (and verifies), `publicKey(s)` verify. */
export interface StandardWebhooksKeyOptions {
  /** `whsk_<base64>`: signs `v1a` signatures. */
  readonly privateKey?: SecretInput;
  /** `whpk_<base64>`: verifies `v1a` signatures. */
  readonly publicKey?: SecretInput;
  /** Several public keys (newest first) during a rotation. */
  readonly publicKeys?: readonly SecretInput[];
  /** HMAC secrets (`whsec_`) alongside, while migrating from v1 to v1a. */
  readonly secrets?: readonly SecretInput[];
  readonly secret?: undefined;
}

/**
 * `{ secret }` / `{ secrets }` for HMAC (`v1`); `{ privateKey }` / `{ publicKey }` for
 * Ed25519 (`v1a`). A `secrets` list may also mix `whsec_`, `whsk_` and `whpk_` keys.
 */
export type StandardWebhooksOptions = SecretOptions | StandardWebhooksKeyOptions;

const NAMES = { id: "webhook-id", timestamp: "webhook-timestamp", signature: "webhook-signature" } as const;

function entriesOf(options: StandardWebhooksKeyOptions): SecretInput[] {
  const entries: SecretInput[] = [];
  const tagged = (input: SecretInput, prefix: string): SecretInput => {
    // A key given to privateKey/publicKey is that kind even without its prefix.
    if (typeof input === "string") return input.startsWith(prefix) ? input : `${prefix}${input}`;
    if (typeof input === "object" && !(input instanceof Uint8Array) && typeof input.secret === "string") {
      return { id: input.id, secret: input.secret.startsWith(prefix) ? input.secret : `${prefix}${input.secret}` };
    }
    throw new WebhookError("invalid_options", "Ed25519 keys are given as whsk_/whpk_ strings");
  };
  if (options.privateKey !== undefined) entries.push(tagged(options.privateKey, "whsk_"));
  if (options.publicKey !== undefined) entries.push(tagged(options.publicKey, "whpk_"));
  for (const key of options.publicKeys ?? []) entries.push(tagged(key, "whpk_"));
  for (const secret of options.secrets ?? []) entries.push(secret);
  return entries;
}

/** Shared by `standardWebhooks`, `svix` and the Svix-based presets: HMAC secrets verify `v1`; Ed25519 keys add `v1a`. */
export function standardScheme(
  name: string,
  headers: StandardHeaderNames,
  options: StandardWebhooksOptions,
): WebhookScheme {
  if (typeof options !== "object" || options === null)
    throw new WebhookError("invalid_options", `${name} needs options with keys`);
  const keyOptions = options as StandardWebhooksKeyOptions & { secret?: SecretInput };
  const { secrets } = options as { secrets?: readonly SecretInput[] | SecretLookup };
  const asymmetric =
    keyOptions.privateKey !== undefined || keyOptions.publicKey !== undefined || keyOptions.publicKeys !== undefined;
  if (!asymmetric && typeof secrets !== "function") {
    const inputs = keyOptions.secret !== undefined ? [keyOptions.secret] : (keyOptions.secrets ?? []);
    const keys = sortStandardKeys(inputs);
    if (keys.privateKeys.length === 0 && keys.publicKeys.length === 0) {
      return defineSignatureScheme(
        standardFormat(name, headers),
        hmacKeyring(options as SecretOptions, V1, decodeStandardSecret),
      );
    }
    return defineSignatureScheme(standardFormat(name, headers, true), standardKeyring(keys));
  }
  // A per-tenant lookup may answer with any kind of key: whsec_, whsk_ or whpk_.
  if (!asymmetric && typeof secrets === "function")
    return defineSignatureScheme(standardFormat(name, headers, true), lookedUpStandardKeyring(secrets));
  if (keyOptions.secret !== undefined)
    throw new WebhookError("invalid_options", "pass HMAC secrets as `secrets` beside Ed25519 keys");
  if (typeof secrets === "function")
    throw new WebhookError("invalid_options", "a secrets lookup cannot be mixed with fixed Ed25519 keys");
  const entries = entriesOf(keyOptions);
  if (entries.length === 0) throw new WebhookError("invalid_options", "no key given");
  return defineSignatureScheme(standardFormat(name, headers, true), standardKeyring(sortStandardKeys(entries)));
}

/**
 * Standard Webhooks (https://www.standardwebhooks.com): a signature over
 * `id.timestamp.body` in `webhook-id`, `webhook-timestamp`, `webhook-signature`.
 * `v1` is HMAC-SHA256 with a `whsec_` secret; `v1a` is Ed25519: `{ privateKey: "whsk_..." }`
 * signs, `{ publicKey: "whpk_..." }` verifies. Pass `{ secrets: [newest, ...older] }`
 * while rotating: it signs with the first and accepts any; the list may mix v1 and v1a keys,
 * and so may the answer of a per-tenant lookup (`secrets: ({ tenant }) => ...`).
 *
 * @example
 * const scheme = standardWebhooks({ secret: process.env.WEBHOOK_SECRET });
 * const headers = await scheme.sign({ id: "msg_1", timestamp: new Date(), body: '{"ok":true}' });
 * const receiver = standardWebhooks({ publicKey: "whpk_..." }); // verifies v1a
 */
export function standardWebhooks(options: StandardWebhooksOptions): WebhookScheme {
  return standardScheme("standard-webhooks", NAMES, options);
}
