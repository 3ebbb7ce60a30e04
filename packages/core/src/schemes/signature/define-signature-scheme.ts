import { cryptoBackend, type SignedPart } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { isPromiseLike } from "../../lib/awaitable.js";
import { encodeBase64 } from "../../lib/base64.js";
import { joinParts } from "../../lib/concat.js";
import { toBytes } from "../../lib/utf8.js";
import type { PreparedSignatureKey, SignatureKeyring } from "../../keys/signature-keyring.js";
import type { IncomingWebhook, OutgoingWebhook, SchemeVerification, SignedHeaders, WebhookScheme } from "../types.js";
import type { MadeSignature, ReceivedFields, SignatureFormat } from "./fields.js";

/**
 * Asymmetric signatures tried per algorithm and request. A public-key verification costs far
 * more than an HMAC (and Ed25519 hashes the whole message again for every try), so a header
 * listing many candidates would make a forged request expensive; a sender rotating its own
 * key signs with two at most.
 */
export const MAX_ASYMMETRIC_SIGNATURES = 2;

interface Match {
  readonly key: PreparedSignatureKey;
  readonly proof: Uint8Array;
}

/**
 * Builds a scheme from a signature format and a keyring: signs with the first key of each
 * algorithm that can sign, verifies against every key (HMAC compared in constant time),
 * says which key matched.
 */
export function defineSignatureScheme(format: SignatureFormat, keyring: SignatureKeyring): WebhookScheme {
  const asymmetricSlots = format.algorithms.flatMap((algorithm, slot) =>
    algorithm.asymmetric === undefined ? [] : [slot],
  );

  function checkCandidates(fields: ReceivedFields): void {
    for (const slot of asymmetricSlots) {
      if ((fields.signatures[slot]?.length ?? 0) > MAX_ASYMMETRIC_SIGNATURES) {
        throw new WebhookError(
          "malformed_header",
          `more than ${MAX_ASYMMETRIC_SIGNATURES} ${format.algorithms[slot]?.name} signatures`,
        );
      }
    }
  }

  async function verifyAsymmetric(
    keys: readonly PreparedSignatureKey[],
    fields: ReceivedFields,
    contents: readonly (readonly SignedPart[])[],
  ): Promise<Match | undefined> {
    for (const content of contents) {
      // Public-key algorithms verify one contiguous message: join it once, not once per try.
      let message: SignedPart[] | undefined;
      for (const key of keys) {
        const candidates = fields.signatures[key.slot];
        if (key.verifyKey === undefined || candidates === undefined || candidates.length === 0) continue;
        message ??= [joinParts(content)];
        for (const candidate of candidates) {
          const valid = cryptoBackend.asymmetricVerify(key.verifyKey, candidate, message);
          if (isPromiseLike(valid) ? await valid : valid) {
            const digest = cryptoBackend.digest("SHA-256", message[0] as Uint8Array);
            return { key, proof: isPromiseLike(digest) ? await digest : digest };
          }
        }
      }
    }
    return undefined;
  }

  // The node:crypto backend and static keyrings answer synchronously: values are
  // awaited only when they are promises, which keeps this hot path to one promise.
  async function verify(incoming: IncomingWebhook): Promise<SchemeVerification> {
    const read = format.read(incoming);
    const fields = isPromiseLike(read) ? await read : read;
    checkCandidates(fields);
    const found = keyring.keysFor(incoming.tenant, fields);
    const keys = isPromiseLike(found) ? await found : found;
    if (keys.length === 0) throw new WebhookError("invalid_signature", "no keys for this tenant");
    const contents = format.receivedContents?.(fields, incoming.body) ?? [format.signedContent(fields, incoming.body)];
    let match: Match | undefined;
    search: for (const key of keys) {
      const candidates = fields.signatures[key.slot];
      if (key.hmac === undefined || candidates === undefined || candidates.length === 0) continue;
      for (const content of contents) {
        const mac = cryptoBackend.hmac(key.hmac, content);
        const expected = isPromiseLike(mac) ? await mac : mac;
        for (const candidate of candidates) {
          if (cryptoBackend.timingSafeEqual(expected, candidate)) {
            match = { key, proof: expected };
            break search;
          }
        }
      }
    }
    if (match === undefined && asymmetricSlots.length > 0) match = await verifyAsymmetric(keys, fields, contents);
    if (match === undefined)
      throw new WebhookError("invalid_signature", `no ${format.name} signature matched any of ${keys.length} key(s)`);
    const confirmed = format.confirm?.(incoming, fields);
    if (isPromiseLike(confirmed)) await confirmed;
    // Formats without an id deduplicate on the proof: signed material, unique per message.
    const identity = format.identify?.(fields, incoming.body, match.proof);
    return {
      id: identity?.id ?? fields.id ?? encodeBase64(match.proof),
      replayKey: identity?.replayKey,
      timestamp:
        identity?.timestamp ?? (fields.timestamp === undefined ? undefined : new Date(Number(fields.timestamp) * 1000)),
      keyId: match.key.id,
    };
  }

  async function sign(message: OutgoingWebhook): Promise<SignedHeaders> {
    const keys = await keyring.keysFor(message.tenant);
    const fields = format.fieldsFor(message);
    const content = format.signedContent(fields, toBytes(message.body));
    const signatures: MadeSignature[] = [];
    for (const [slot, algorithm] of format.algorithms.entries()) {
      const signer = keys.find((key) => key.slot === slot && (key.hmac !== undefined || key.signKey !== undefined));
      if (signer?.hmac !== undefined) signatures.push({ slot, bytes: await cryptoBackend.hmac(signer.hmac, content) });
      else if (signer?.signKey !== undefined) {
        signatures.push({ slot, bytes: algorithm.encode(await cryptoBackend.asymmetricSign(signer.signKey, content)) });
      }
    }
    if (signatures.length === 0) {
      throw new WebhookError(
        "invalid_options",
        `${format.name} has no signing key for this tenant (a public key only verifies: pass privateKey to sign)`,
      );
    }
    return format.write(fields, signatures);
  }

  return {
    name: format.name,
    timestamped: format.timestamped,
    verify,
    sign,
    async encode(message) {
      return { headers: await sign(message), body: message.body };
    },
  };
}
