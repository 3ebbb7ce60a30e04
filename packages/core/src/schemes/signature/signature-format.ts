import { WebhookError } from "../../errors/webhook-error.js";
import { decodeBase64, encodeBase64 } from "../../lib/base64.js";
import { decodeHex, encodeHex } from "../../lib/hex.js";
import { utf8 } from "../../lib/utf8.js";
import type { SecretDecoder } from "../../keys/keyring.js";
import { decodeBase64Secret } from "../../keys/secret-strength.js";
import { type AlgorithmParameters, resolveAlgorithm, type SignatureAlgorithm } from "./algorithm.js";
import type { MessageIdentity, SignatureFormat, SignedFields } from "./fields.js";
import { parseUnixSeconds, requireHeader, toUnixSeconds } from "./header-fields.js";
import { jsonStringField } from "./json-body.js";

/** How the signature is written in its header. */
export type MacEncoding = "hex" | "base64";

/**
 * A signature header made of `key=value` pairs, like Stripe's `t=<unix>,v1=<mac>` or
 * Paddle's `ts=<unix>;h1=<mac>`. The MAC key may repeat (several secrets during a roll);
 * pairs with other keys are skipped but must be well formed.
 */
export interface SignatureParams {
  /** Between pairs: "," (Stripe) or ";" (Paddle). */
  readonly separator: string;
  /** The key of the MAC, e.g. "v1" or "h1". */
  readonly signatureKey: string;
  /** The key of the unix-seconds timestamp in the same header, e.g. "t" or "ts". */
  readonly timestampKey?: string;
}

/** Where a signature is and what it covers: every field of a declarative format but the algorithm and keys. */
export interface SignatureLayoutOptions {
  /** Stable name for events and replay keys, e.g. "acme". */
  readonly name: string;
  /** The header carrying the signature, e.g. "x-acme-signature". */
  readonly signatureHeader: string;
  /** Read the signature header as `key=value` pairs instead of one MAC. */
  readonly signatureParams?: SignatureParams;
  /** Text before the MAC, e.g. "sha256=" or "v0=". Default none. */
  readonly prefix?: string;
  /** Default "hex". */
  readonly encoding?: MacEncoding;
  /** The header carrying unix seconds, when `signatureParams.timestampKey` does not. */
  readonly timestampHeader?: string;
  /**
   * The header carrying the message id. When `signedContent` contains `{id}` the id is signed
   * and deduplicates the message; otherwise it only names it, and the MAC deduplicates.
   */
  readonly idHeader?: string;
  /**
   * A top-level string field of the signed JSON body that names the message (Stripe's event
   * `id`). Signed, so it deduplicates too; a body without it is named by its MAC.
   */
  readonly idJsonField?: string;
  /**
   * What is signed: literal text with `{id}`, `{timestamp}` and exactly one `{body}` (the raw
   * bytes). Default `"{body}"`. Example: Slack's `"v0:{timestamp}:{body}"`.
   */
  readonly signedContent?: string;
  /** HMAC: how a secret given as a string becomes key bytes. Default "utf8" (the string itself). */
  readonly secretEncoding?: "utf8" | "base64" | "hex";
}

/** A declarative signature format: the layout plus its algorithm. */
export interface SignatureFormatOptions extends SignatureLayoutOptions, AlgorithmParameters {
  /** "hmac-sha256", "ed25519", "ecdsa-p256-sha256", "rsa-pss-sha256", ... */
  readonly algorithm: SignatureAlgorithm;
  /** Asymmetric keys given as text that is not PEM: "base64" (DER, the default) or "hex" (raw Ed25519 keys). */
  readonly keyEncoding?: "base64" | "hex";
}

/** A declarative format resolved: the format, and how its keys are read. */
export interface ResolvedSignatureFormat {
  readonly format: SignatureFormat;
  readonly decodeSecret: SecretDecoder;
}

type Piece = { readonly literal: string } | { readonly field: "id" | "timestamp" | "body" };

const PLACEHOLDER = /\{(id|timestamp|body)\}/g;
const VISIBLE_ASCII = /^[\x21-\x7e]{1,256}$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const PARAM_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const MAX_PARAMS = 32;
/** RSA signatures are as long as the modulus: 1024 to 8192 bits. */
const MIN_RSA_SIGNATURE = 128;
const MAX_RSA_SIGNATURE = 1024;
const SECRET_DECODERS: Record<"utf8" | "base64" | "hex", SecretDecoder> = {
  utf8,
  base64: decodeBase64Secret,
  hex: decodeHex,
};

function parseTemplate(template: string): Piece[] {
  if (typeof template !== "string") throw new WebhookError("invalid_options", "signedContent must be a string");
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) pieces.push({ literal: template.slice(last, match.index) });
    pieces.push({ field: match[1] as "id" | "timestamp" | "body" });
    last = match.index + match[0].length;
  }
  if (last < template.length) pieces.push({ literal: template.slice(last) });
  return pieces;
}

function headerName(name: string | undefined, option: string): string | undefined {
  if (name === undefined) return undefined;
  const lower = typeof name === "string" ? name.toLowerCase() : "";
  if (!HEADER_NAME.test(lower)) throw new WebhookError("invalid_options", `${option} is not a header name`);
  return lower;
}

function checkParams(params: SignatureParams | undefined): SignatureParams | undefined {
  if (params === undefined) return undefined;
  const { separator, signatureKey, timestampKey } = params;
  if (typeof separator !== "string" || separator.length !== 1 || /[A-Za-z0-9=\s]/.test(separator)) {
    throw new WebhookError("invalid_options", "signatureParams.separator must be one punctuation character");
  }
  if (
    !PARAM_KEY.test(signatureKey) ||
    (timestampKey !== undefined && (!PARAM_KEY.test(timestampKey) || timestampKey === signatureKey))
  ) {
    throw new WebhookError("invalid_options", "signatureParams keys must be distinct words");
  }
  return params;
}

/**
 * Turns declarative options into a `SignatureFormat`: the presets (Stripe, GitHub, Slack,
 * Shopify, Discord, SendGrid, ...) are made this way, and so is anything `signatureScheme` builds.
 */
export function signatureFormat(options: SignatureFormatOptions): ResolvedSignatureFormat {
  const { name } = options;
  if (typeof name !== "string" || name === "")
    throw new WebhookError("invalid_options", "a signature format needs a `name`");
  const algorithm = resolveAlgorithm(options.algorithm, options);
  const encoding = options.encoding ?? "hex";
  if (encoding !== "hex" && encoding !== "base64")
    throw new WebhookError("invalid_options", "encoding must be hex or base64");
  const prefix = options.prefix ?? "";
  const signatureHeaderName = headerName(options.signatureHeader, "signatureHeader");
  if (signatureHeaderName === undefined)
    throw new WebhookError("invalid_options", "a signature format needs a `signatureHeader`");
  const signatureHeader: string = signatureHeaderName;
  const params = checkParams(options.signatureParams);
  const timestampHeader = headerName(options.timestampHeader, "timestampHeader");
  if (timestampHeader !== undefined && params?.timestampKey !== undefined) {
    throw new WebhookError(
      "invalid_options",
      "the timestamp comes from timestampHeader or signatureParams.timestampKey, not both",
    );
  }
  const hasTimestamp = timestampHeader !== undefined || params?.timestampKey !== undefined;
  const idHeader = headerName(options.idHeader, "idHeader");
  const { idJsonField } = options;
  if (idJsonField !== undefined && (typeof idJsonField !== "string" || idJsonField === "" || idHeader !== undefined)) {
    throw new WebhookError("invalid_options", "idJsonField is a field name, and excludes idHeader");
  }
  const decodeSecret = SECRET_DECODERS[options.secretEncoding ?? "utf8"];
  if (decodeSecret === undefined)
    throw new WebhookError("invalid_options", "secretEncoding must be utf8, base64 or hex");

  const pieces = parseTemplate(options.signedContent ?? "{body}");
  const uses = (field: string) => pieces.filter((piece) => "field" in piece && piece.field === field).length;
  // Unsigned bytes would be accepted as authentic: the body must be under the MAC, once.
  if (uses("body") !== 1) throw new WebhookError("invalid_options", "signedContent must contain {body} exactly once");
  if (uses("timestamp") > 0 && !hasTimestamp) {
    throw new WebhookError("invalid_options", "signedContent uses {timestamp}: say where it is (timestampHeader)");
  }
  if (hasTimestamp && uses("timestamp") === 0)
    throw new WebhookError("invalid_options", "a timestamp is read but {timestamp} is not signed");
  if (uses("id") > 0 && idHeader === undefined)
    throw new WebhookError("invalid_options", "signedContent uses {id}: set idHeader");
  const idSigned = uses("id") > 0;
  // An id may not contain the template's separators, or bytes could move between id and body.
  const separators = new Set(pieces.flatMap((piece) => ("literal" in piece ? [...piece.literal] : [])));

  function checkId(id: string, code: "malformed_header" | "invalid_options"): string {
    if (typeof id !== "string" || !VISIBLE_ASCII.test(id) || [...id].some((char) => separators.has(char))) {
      throw new WebhookError(code, `${idHeader} must be 1-256 visible ASCII characters without the signed separators`);
    }
    return id;
  }

  const encode = encoding === "hex" ? encodeHex : encodeBase64;
  const decode = encoding === "hex" ? decodeHex : decodeBase64;

  const { signatureLength } = algorithm;
  function decodeMac(text: string): Uint8Array {
    if (!text.startsWith(prefix))
      throw new WebhookError("malformed_header", `${signatureHeader} lacks the ${prefix} prefix`);
    const bytes = decode(text.slice(prefix.length));
    const sized =
      bytes !== undefined &&
      (signatureLength !== undefined || (bytes.length >= MIN_RSA_SIGNATURE && bytes.length <= MAX_RSA_SIGNATURE));
    const signature = sized ? algorithm.decode(bytes) : undefined;
    if (signature === undefined)
      throw new WebhookError("malformed_header", `${signatureHeader} is not a ${encoding} ${algorithm.name} signature`);
    return signature;
  }

  /** `key=value` pairs: the timestamp exactly once when it lives here, any number of MACs. */
  function readParams(value: string, { separator, signatureKey, timestampKey }: SignatureParams) {
    const entries = value.split(separator);
    if (entries.length > MAX_PARAMS)
      throw new WebhookError("malformed_header", `more than ${MAX_PARAMS} entries in ${signatureHeader}`);
    let timestamp: string | undefined;
    const signatures: Uint8Array[] = [];
    for (const entry of entries) {
      const equals = entry.indexOf("=");
      const key = entry.slice(0, equals);
      const text = entry.slice(equals + 1);
      if (equals <= 0 || !PARAM_KEY.test(key) || !VISIBLE_ASCII.test(text)) {
        throw new WebhookError("malformed_header", `${signatureHeader} entry is not key=value`);
      }
      if (key === timestampKey) {
        if (timestamp !== undefined)
          throw new WebhookError("malformed_header", `${signatureHeader} has several timestamps`);
        timestamp = parseUnixSeconds(text, signatureHeader);
      } else if (key === signatureKey) {
        signatures.push(decodeMac(text));
      }
    }
    if (timestampKey !== undefined && timestamp === undefined)
      throw new WebhookError("malformed_header", `${signatureHeader} has no timestamp`);
    return { timestamp, signatures };
  }

  const format: SignatureFormat = {
    name,
    timestamped: hasTimestamp,
    algorithms: [algorithm],
    read(incoming) {
      const value = requireHeader(incoming.header, signatureHeader);
      const parsed =
        params === undefined ? { timestamp: undefined, signatures: [decodeMac(value)] } : readParams(value, params);
      const timestamp =
        timestampHeader === undefined
          ? parsed.timestamp
          : parseUnixSeconds(requireHeader(incoming.header, timestampHeader), timestampHeader);
      let id: string | undefined;
      if (idHeader !== undefined) {
        const raw = incoming.header(idHeader);
        if (idSigned || (raw !== undefined && raw !== ""))
          id = checkId(requireHeader(incoming.header, idHeader), "malformed_header");
      }
      return { id, timestamp, signatures: [parsed.signatures] };
    },
    fieldsFor(message) {
      return {
        id: idHeader === undefined ? undefined : checkId(message.id, "invalid_options"),
        timestamp: hasTimestamp ? toUnixSeconds(message.timestamp) : undefined,
      };
    },
    signedContent(fields: SignedFields, body: Uint8Array) {
      return pieces.map((piece) => {
        if ("literal" in piece) return utf8(piece.literal);
        if (piece.field === "body") return body;
        return utf8((piece.field === "id" ? fields.id : fields.timestamp) ?? "");
      });
    },
    identify(fields, body, proof): MessageIdentity {
      if (fields.id !== undefined && idSigned) return { id: fields.id };
      // The body is signed, so a field of it is signed material (Stripe's retries share the event id).
      if (idJsonField !== undefined) return { id: jsonStringField(body, idJsonField) ?? encodeBase64(proof) };
      // The id header is not under the signature: it names the message, signed material deduplicates it.
      const replayKey = encodeBase64(proof);
      return fields.id === undefined ? { id: replayKey } : { id: fields.id, replayKey };
    },
    write(fields, signatures) {
      const signature = `${prefix}${encode(signatures[0]?.bytes ?? new Uint8Array(0))}`;
      const headers: Record<string, string> = {};
      if (params === undefined) headers[signatureHeader] = signature;
      else {
        const timestamp =
          params.timestampKey === undefined
            ? ""
            : `${params.timestampKey}=${fields.timestamp ?? ""}${params.separator}`;
        headers[signatureHeader] = `${timestamp}${params.signatureKey}=${signature}`;
      }
      if (timestampHeader !== undefined && fields.timestamp !== undefined) headers[timestampHeader] = fields.timestamp;
      if (idHeader !== undefined && fields.id !== undefined) headers[idHeader] = fields.id;
      return headers;
    },
  };
  return { format, decodeSecret };
}
