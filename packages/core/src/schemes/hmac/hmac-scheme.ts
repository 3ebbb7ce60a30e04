import type { HashAlgorithm } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { decodeBase64, encodeBase64 } from "../../lib/base64.js";
import { decodeHex, encodeHex } from "../../lib/hex.js";
import { utf8 } from "../../lib/utf8.js";
import type { SecretDecoder } from "../../keys/keyring.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import type { WebhookScheme } from "../types.js";
import { defineHmacScheme, type HmacFormat, type HmacIdentity, type HmacSignedFields } from "./define-hmac-scheme.js";
import { parseUnixSeconds, requireHeader, toUnixSeconds } from "./fields.js";

/** How the MAC is written in its header. */
export type MacEncoding = "hex" | "base64";

/** The fields of a declarative HMAC format (everything but the secrets). */
export interface HmacSchemeFormatOptions {
  /** Stable name for events and replay keys, e.g. "acme". */
  readonly name: string;
  /** Default "SHA-256". */
  readonly algorithm?: HashAlgorithm;
  /** The header carrying the MAC, e.g. "x-acme-signature". */
  readonly signatureHeader: string;
  /** Text before the MAC in its header, e.g. "sha256=" or "v0=". Default none. */
  readonly prefix?: string;
  /** Default "hex". */
  readonly encoding?: MacEncoding;
  /** The header carrying unix seconds; required when `signedContent` contains `{timestamp}`. */
  readonly timestampHeader?: string;
  /**
   * The header carrying the message id. When `signedContent` contains `{id}` the id is signed
   * and deduplicates the message; otherwise it only names it, and the MAC deduplicates.
   */
  readonly idHeader?: string;
  /**
   * What is signed: literal text with `{id}`, `{timestamp}` and exactly one `{body}` (the raw
   * bytes). Default `"{body}"`. Example: Slack's `"v0:{timestamp}:{body}"`.
   */
  readonly signedContent?: string;
  /** How a secret given as a string becomes key bytes. Default "utf8" (the string itself). */
  readonly secretEncoding?: "utf8" | "base64" | "hex";
}

export type HmacSchemeOptions = HmacSchemeFormatOptions & SecretOptions;

type Piece = { readonly literal: string } | { readonly field: "id" | "timestamp" | "body" };

const PLACEHOLDER = /\{(id|timestamp|body)\}/g;
const VISIBLE_ASCII = /^[\x21-\x7e]{1,256}$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const SECRET_DECODERS: Record<"utf8" | "base64" | "hex", SecretDecoder> = {
  utf8,
  base64: decodeBase64,
  hex: decodeHex,
};

function parseTemplate(template: string): Piece[] {
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

/**
 * Turns declarative options into an `HmacFormat`: the presets (GitHub, Slack,
 * Shopify) are made this way, and so is anything `hmacScheme` builds.
 */
export function hmacFormat(options: HmacSchemeFormatOptions): HmacFormat {
  const { name } = options;
  if (typeof name !== "string" || name === "") throw new WebhookError("invalid_options", "hmacScheme needs a `name`");
  const algorithm = options.algorithm ?? "SHA-256";
  if (!["SHA-1", "SHA-256", "SHA-512"].includes(algorithm)) {
    throw new WebhookError("invalid_options", "algorithm must be SHA-1, SHA-256 or SHA-512");
  }
  const encoding = options.encoding ?? "hex";
  if (encoding !== "hex" && encoding !== "base64") throw new WebhookError("invalid_options", "encoding must be hex or base64");
  const prefix = options.prefix ?? "";
  const signatureHeader = headerName(options.signatureHeader, "signatureHeader");
  if (signatureHeader === undefined) throw new WebhookError("invalid_options", "hmacScheme needs a `signatureHeader`");
  const timestampHeader = headerName(options.timestampHeader, "timestampHeader");
  const idHeader = headerName(options.idHeader, "idHeader");
  const decodeSecret = SECRET_DECODERS[options.secretEncoding ?? "utf8"];
  if (decodeSecret === undefined) throw new WebhookError("invalid_options", "secretEncoding must be utf8, base64 or hex");

  const pieces = parseTemplate(options.signedContent ?? "{body}");
  const uses = (field: string) => pieces.filter((piece) => "field" in piece && piece.field === field).length;
  // Unsigned bytes would be accepted as authentic: the body must be under the MAC, once.
  if (uses("body") !== 1) throw new WebhookError("invalid_options", "signedContent must contain {body} exactly once");
  if (uses("timestamp") > 0 && timestampHeader === undefined) {
    throw new WebhookError("invalid_options", "signedContent uses {timestamp}: set timestampHeader");
  }
  if (timestampHeader !== undefined && uses("timestamp") === 0) {
    throw new WebhookError("invalid_options", "timestampHeader is set but {timestamp} is not signed");
  }
  if (uses("id") > 0 && idHeader === undefined) throw new WebhookError("invalid_options", "signedContent uses {id}: set idHeader");
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

  return {
    name,
    timestamped: timestampHeader !== undefined,
    algorithm,
    decodeSecret,
    read(incoming) {
      const value = requireHeader(incoming.header, signatureHeader);
      if (!value.startsWith(prefix)) throw new WebhookError("malformed_header", `${signatureHeader} lacks the ${prefix} prefix`);
      const mac = decode(value.slice(prefix.length));
      if (mac === undefined || mac.length === 0) throw new WebhookError("malformed_header", `${signatureHeader} is not ${encoding}`);
      const timestamp =
        timestampHeader === undefined ? undefined : parseUnixSeconds(requireHeader(incoming.header, timestampHeader), timestampHeader);
      let id: string | undefined;
      if (idHeader !== undefined) {
        const raw = incoming.header(idHeader);
        if (idSigned || (raw !== undefined && raw !== "")) id = checkId(requireHeader(incoming.header, idHeader), "malformed_header");
      }
      return { id, timestamp, signatures: [mac] };
    },
    fieldsFor(message) {
      return {
        id: idHeader === undefined ? undefined : checkId(message.id, "invalid_options"),
        timestamp: timestampHeader === undefined ? undefined : toUnixSeconds(message.timestamp),
      };
    },
    signedContent(fields: HmacSignedFields, body: Uint8Array) {
      return pieces.map((piece) => {
        if ("literal" in piece) return utf8(piece.literal);
        if (piece.field === "body") return body;
        return utf8((piece.field === "id" ? fields.id : fields.timestamp) ?? "");
      });
    },
    identify(fields, _body, mac): HmacIdentity {
      if (fields.id !== undefined && idSigned) return { id: fields.id };
      // The id header is not under the MAC: it names the message, the MAC deduplicates it.
      const replayKey = encodeBase64(mac);
      return fields.id === undefined ? { id: replayKey } : { id: fields.id, replayKey };
    },
    write(fields, mac) {
      const headers: Record<string, string> = { [signatureHeader]: `${prefix}${encode(mac)}` };
      if (timestampHeader !== undefined && fields.timestamp !== undefined) headers[timestampHeader] = fields.timestamp;
      if (idHeader !== undefined && fields.id !== undefined) headers[idHeader] = fields.id;
      return headers;
    },
  };
}

/**
 * A scheme for any HMAC webhook format not covered by a preset: where the MAC
 * is, how it is written, and what it covers.
 *
 * @example
 * const acme = hmacScheme({
 *   name: "acme",
 *   secret: process.env.ACME_SECRET,
 *   signatureHeader: "x-acme-signature",
 *   prefix: "sha256=",
 *   timestampHeader: "x-acme-timestamp",
 *   signedContent: "{timestamp}.{body}",
 * });
 */
export function hmacScheme(options: HmacSchemeOptions): WebhookScheme {
  return defineHmacScheme(hmacFormat(options), options);
}
