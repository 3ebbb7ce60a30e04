import { WebhookError } from "../../errors/webhook-error.js";
import { encodeBase64 } from "../../lib/base64.js";
import { decodeBase64Secret } from "../../keys/secret-strength.js";
import { ed25519Signature, hmacSignature } from "../signature/algorithm.js";
import type { SignatureFormat, SignedFields } from "../signature/fields.js";
import { parseUnixSeconds, requireHeader, toUnixSeconds } from "../signature/header-fields.js";
import { parseSignatureList } from "./signature-list.js";

/** The header names of one flavour: `webhook-*` (Standard Webhooks) or `svix-*`. */
export interface StandardHeaderNames {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

const SECRET_PREFIX = "whsec_";
// Visible ASCII except "." — the id is joined to the timestamp and body with
// dots, so a dot in it would let bytes move between id, timestamp and body.
const MESSAGE_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

/** `whsec_<base64>` as issued by Standard Webhooks and Svix (plain base64 is accepted too, a plain word is not). */
export function decodeStandardSecret(secret: string): Uint8Array | undefined {
  return decodeBase64Secret(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
}

// Received: the sender's message is malformed. Signing: the caller passed a bad id.
function checkMessageId(id: string, headerName: string, code: "malformed_header" | "invalid_options"): string {
  if (typeof id !== "string" || !MESSAGE_ID.test(id)) {
    throw new WebhookError(code, `${headerName} must be 1-256 visible ASCII characters without "."`);
  }
  return id;
}

const V1_ONLY = [hmacSignature("SHA-256")];
const V1_AND_V1A = [hmacSignature("SHA-256"), ed25519Signature()];
const VERSIONS = ["v1", "v1a"];

/**
 * A signature over `id.timestamp.body`, entries `v1,<base64>` (HMAC-SHA256) and, with
 * `asymmetric`, `v1a,<base64>` (Ed25519). An HMAC-only receiver skips `v1a` entries as any
 * other version; one with Ed25519 keys tries at most two of them.
 */
export function standardFormat(name: string, headers: StandardHeaderNames, asymmetric = false): SignatureFormat {
  const versions = asymmetric ? VERSIONS : VERSIONS.slice(0, 1);
  return {
    name,
    timestamped: true,
    algorithms: asymmetric ? V1_AND_V1A : V1_ONLY,
    read(incoming) {
      const id = checkMessageId(requireHeader(incoming.header, headers.id), headers.id, "malformed_header");
      const timestamp = parseUnixSeconds(requireHeader(incoming.header, headers.timestamp), headers.timestamp);
      const signatures = parseSignatureList(
        requireHeader(incoming.header, headers.signature),
        versions,
        headers.signature,
      );
      return { id, timestamp, signatures };
    },
    fieldsFor(message) {
      return {
        id: checkMessageId(message.id, headers.id, "invalid_options"),
        timestamp: toUnixSeconds(message.timestamp),
      };
    },
    signedContent(fields: SignedFields, body: Uint8Array) {
      return [`${fields.id}.${fields.timestamp}.`, body];
    },
    write(fields, signatures) {
      return {
        [headers.id]: fields.id ?? "",
        [headers.timestamp]: fields.timestamp ?? "",
        [headers.signature]: signatures.map(({ slot, bytes }) => `${VERSIONS[slot]},${encodeBase64(bytes)}`).join(" "),
      };
    },
  };
}
