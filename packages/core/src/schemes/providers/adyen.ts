import { cryptoBackend } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { hmacKeyring, type PreparedSignatureKey } from "../../keys/signature-keyring.js";
import { isPromiseLike } from "../../lib/awaitable.js";
import { decodeBase64, encodeBase64 } from "../../lib/base64.js";
import { concatBytes } from "../../lib/concat.js";
import { decodeHex } from "../../lib/hex.js";
import { decodeUtf8Strict, toBytes, utf8 } from "../../lib/utf8.js";
import { hmacSignature } from "../signature/algorithm.js";
import { jsonObject } from "../signature/json-body.js";
import type { IncomingWebhook, OutgoingWebhook, SchemeVerification, WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** `secret`: the webhook's HMAC key as the Customer Area shows it (hex); `secrets` while it rotates. */
export type AdyenOptions = SecretOptions;

const HMAC_SHA256 = hmacSignature("SHA-256");
/**
 * Items per notification: Adyen batches a few; the bound keeps a body of replayed valid items
 * from costing more than its size already does.
 */
const MAX_ADYEN_ITEMS = 1000;
const MAX_ID_LENGTH = 256;

type Item = Record<string, unknown>;

/** A field as Adyen's SDKs join it: absent and null as "", text as is, numbers and booleans as written. */
function fieldText(value: unknown, name: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isSafeInteger(value)) || typeof value === "boolean") return String(value);
  throw new WebhookError("malformed_body", `NotificationRequestItem.${name} is not text`);
}

/**
 * What Adyen signs for one item: pspReference, originalReference, merchantAccountCode,
 * merchantReference, amount.value, amount.currency, eventCode, success, joined by ":" without
 * escaping (as @adyen/api-library's HmacValidator does).
 */
function adyenSignedData(item: Item): string {
  const amount = item.amount;
  if (typeof amount !== "object" || amount === null || Array.isArray(amount))
    throw new WebhookError("malformed_body", "NotificationRequestItem.amount is not an object");
  const { value, currency } = amount as Record<string, unknown>;
  return [
    fieldText(item.pspReference, "pspReference"),
    fieldText(item.originalReference, "originalReference"),
    fieldText(item.merchantAccountCode, "merchantAccountCode"),
    fieldText(item.merchantReference, "merchantReference"),
    fieldText(value, "amount.value"),
    fieldText(currency, "amount.currency"),
    fieldText(item.eventCode, "eventCode"),
    fieldText(item.success, "success"),
  ].join(":");
}

/** The NotificationRequestItems of a notification body; `code` says whose mistake a bad shape is. */
function notificationItems(
  body: Record<string, unknown> | undefined,
  code: "malformed_body" | "invalid_options",
): Item[] {
  const list = body?.notificationItems;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ADYEN_ITEMS) {
    throw new WebhookError(code, `an Adyen notification has 1-${MAX_ADYEN_ITEMS} notificationItems`);
  }
  return list.map((entry: unknown) => {
    const item = (entry as { NotificationRequestItem?: unknown } | null)?.NotificationRequestItem;
    if (typeof item !== "object" || item === null || Array.isArray(item))
      throw new WebhookError(code, "a notificationItems entry has no NotificationRequestItem");
    return item as Item;
  });
}

function itemSignature(item: Item): Uint8Array {
  const additionalData = item.additionalData as Record<string, unknown> | undefined;
  const text = typeof additionalData === "object" && additionalData !== null ? additionalData.hmacSignature : undefined;
  const mac = typeof text === "string" ? decodeBase64(text) : undefined;
  if (mac === undefined || mac.length !== 32) {
    throw new WebhookError(
      "malformed_body",
      "an item has no base64 additionalData.hmacSignature (is HMAC signing enabled for this webhook?)",
    );
  }
  return mac;
}

async function macOf({ hmac }: PreparedSignatureKey, data: Uint8Array): Promise<Uint8Array> {
  if (hmac === undefined) throw new WebhookError("invalid_options", "adyen keys are HMAC secrets");
  const mac = cryptoBackend.hmac(hmac, [data]);
  return isPromiseLike(mac) ? await mac : mac;
}

/** The key that signed `data`, trying the one that signed the previous item first. */
async function matchingKey(
  keys: readonly PreparedSignatureKey[],
  data: Uint8Array,
  mac: Uint8Array,
  first: PreparedSignatureKey | undefined,
) {
  const ordered = first === undefined ? keys : [first, ...keys.filter((key) => key !== first)];
  for (const key of ordered) {
    if (cryptoBackend.timingSafeEqual(await macOf(key, data), mac)) return key;
  }
  return undefined;
}

/** 4-byte big-endian length, so the signed fields of several items cannot run into each other. */
function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, bytes.length);
  return concatBytes([prefix, bytes]);
}

/**
 * Adyen standard webhooks: each NotificationRequestItem carries, in
 * `additionalData.hmacSignature`, the base64 HMAC-SHA256 of its fields
 * `pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success`
 * (absent fields as empty strings, no escaping), keyed by the hex HMAC key. Adyen batches
 * items (`notificationItems`): a batch is accepted only if every item verifies, and refused
 * whole otherwise. Nothing time-bound is signed (`eventDate` is not), so the result has no
 * timestamp and replay protection rests on the dedup store: the id is the first item's
 * `pspReference:eventCode`, and the batch deduplicates on all its signed fields (a
 * notification Adyen corrects, with another `success`, is a new message). Answer `[accepted]`.
 *
 * `sign()` cannot express signatures in the body: senders (handler tests) call `encode()`
 * with the notification JSON, which returns it with every item signed.
 * https://docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures/
 *
 * @example
 * const verifier = createVerifier({ scheme: providers.adyen.create({ secret: process.env.ADYEN_HMAC_KEY }) });
 */
export function adyen(options: AdyenOptions): WebhookScheme {
  const keyring = hmacKeyring(options, HMAC_SHA256, decodeHex);

  async function keysFor(tenant: string | undefined): Promise<readonly PreparedSignatureKey[]> {
    const found = keyring.keysFor(tenant);
    return isPromiseLike(found) ? await found : found;
  }

  async function verify(incoming: IncomingWebhook): Promise<SchemeVerification> {
    const body = jsonObject(incoming.body);
    if (body === undefined) throw new WebhookError("malformed_body", "an Adyen notification is a JSON object");
    const items = notificationItems(body, "malformed_body");
    const keys = await keysFor(incoming.tenant);
    if (keys.length === 0) throw new WebhookError("invalid_signature", "no keys for this tenant");
    const signed: Uint8Array[] = [];
    let matched: PreparedSignatureKey | undefined;
    // Item by item, stopping at the first that fails: a forged batch costs one item's checks.
    for (const item of items) {
      const data = utf8(adyenSignedData(item));
      const key = await matchingKey(keys, data, itemSignature(item), matched);
      if (key === undefined)
        throw new WebhookError("invalid_signature", `an item of ${items.length} matched none of ${keys.length} key(s)`);
      matched ??= key;
      signed.push(lengthPrefixed(data));
    }
    const digest = cryptoBackend.digest("SHA-256", concatBytes(signed));
    const replayKey = encodeBase64(isPromiseLike(digest) ? await digest : digest);
    const first = items[0] as Item;
    const id = `${fieldText(first.pspReference, "pspReference")}:${fieldText(first.eventCode, "eventCode")}`;
    return {
      id: id.length > 1 && id.length <= MAX_ID_LENGTH ? id : replayKey,
      replayKey,
      timestamp: undefined,
      keyId: matched?.id,
    };
  }

  async function encode(message: OutgoingWebhook) {
    const text = decodeUtf8Strict(toBytes(message.body));
    const body = text === undefined ? undefined : jsonObject(utf8(text));
    const items = notificationItems(body, "invalid_options");
    const signer = (await keysFor(message.tenant))[0];
    if (signer === undefined) throw new WebhookError("invalid_options", "adyen has no key for this tenant");
    for (const item of items) {
      const additionalData =
        typeof item.additionalData === "object" && item.additionalData !== null ? item.additionalData : {};
      const hmacSignature = encodeBase64(await macOf(signer, utf8(adyenSignedData(item))));
      item.additionalData = { ...additionalData, hmacSignature };
    }
    return { headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  }

  return {
    name: "adyen",
    timestamped: false,
    verify,
    async sign() {
      throw new WebhookError(
        "invalid_options",
        "Adyen signs inside each notification item: use encode(), which returns the signed body",
      );
    },
    encode,
  };
}

export const adyenProvider = defineProvider(
  {
    title: "Adyen",
    algorithm: "hmac-sha256",
    timestamped: false,
    messageId:
      "pspReference:eventCode of the first item; the batch's signed fields deduplicate (nothing time-bound is signed)",
    docs: "https://docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures/",
    keys: "secret",
  },
  adyen,
);
