import { cryptoBackend } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { decodeBase64, encodeBase64 } from "../../lib/base64.js";
import { encodeHex } from "../../lib/hex.js";
import { decodeUtf8Strict, toBytes, utf8 } from "../../lib/utf8.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { hmacKeyring } from "../../keys/signature-keyring.js";
import { hmacSignature } from "../signature/algorithm.js";
import { defineSignatureScheme } from "../signature/define-signature-scheme.js";
import type { SignatureFormat } from "../signature/fields.js";
import { requireHeader } from "../signature/header-fields.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link twilio}: the account's auth token (its MAC key), or several while rotating. */
export type TwilioOptions = SecretOptions;

const HEADER = "x-twilio-signature";
const IDEMPOTENCY_HEADER = "i-twilio-idempotency-token";
const BODY_HASH_PARAM = "bodySHA256";
const DEFAULT_PORTS: Record<string, string> = { "https:": "443", "http:": "80" };
const TOKEN = /^[\x21-\x7e]{1,256}$/;

/**
 * Form bodies are parsed, grouped and sorted before the MAC can be checked, so their size
 * and parameter count are capped first: far above any Twilio callback (a few dozen
 * parameters, an SMS or WhatsApp text), far below what would make a forged request costly.
 */
export const MAX_TWILIO_FORM_BYTES = 128 * 1024;
export const MAX_TWILIO_FORM_PARAMETERS = 1000;
const AMPERSAND = 0x26;

function parseUrl(url: string, code: "malformed_header" | "invalid_options"): URL {
  try {
    return new URL(url);
  } catch (cause) {
    throw new WebhookError(code, "the request URL is not absolute", { cause });
  }
}

/**
 * The query with `%27` written back as `'`: Twilio signs the URL as configured, and WHATWG URL
 * parsing (every `Request.url`, every adapter) escapes a `'` in the query of an http(s) URL.
 */
function unescapedQuote(url: string): string | undefined {
  const query = url.indexOf("?");
  if (query === -1 || !url.includes("%27", query)) return undefined;
  return url.slice(0, query) + url.slice(query).replaceAll("%27", "'");
}

/**
 * Twilio's SDK accepts the URL as received, with the default port added, and with it removed;
 * and each with a query's `'` as configured (see `unescapedQuote`).
 */
function urlVariants(raw: string): string[] {
  const variants = portVariants(raw);
  for (const variant of [...variants]) {
    const quoted = unescapedQuote(variant);
    if (quoted !== undefined && !variants.includes(quoted)) variants.push(quoted);
  }
  return variants;
}

function portVariants(raw: string): string[] {
  const url = parseUrl(raw, "malformed_header");
  const variants = [raw];
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort !== undefined) {
    const withoutPort = new URL(url.href);
    withoutPort.port = "";
    const withPort = new URL(url.href);
    // URL drops a default port on assignment, so splice it into the serialisation instead.
    const withPortText =
      url.port === "" ? withPort.href.replace(withPort.host, `${withPort.hostname}:${defaultPort}`) : url.href;
    for (const variant of [withPortText, withoutPort.href]) if (!variants.includes(variant)) variants.push(variant);
  }
  return variants;
}

/**
 * POST form parameters sorted by name, each written name+value. A repeated name's values are
 * sorted and each distinct value written once, as Twilio's SDKs sign them (`new Set(values)`):
 * so `a=1&a=1` and `a=1` carry the same signature, on their side as on ours.
 */
function formParameters(body: Uint8Array, code: "malformed_body" | "invalid_options"): string {
  if (body.length > MAX_TWILIO_FORM_BYTES)
    throw new WebhookError(code, `Twilio form body over ${MAX_TWILIO_FORM_BYTES} bytes`);
  let separators = 0;
  for (const byte of body) if (byte === AMPERSAND) separators++;
  if (separators >= MAX_TWILIO_FORM_PARAMETERS) {
    throw new WebhookError(code, `Twilio form body with more than ${MAX_TWILIO_FORM_PARAMETERS} parameters`);
  }
  const text = decodeUtf8Strict(body);
  if (text === undefined) throw new WebhookError(code, "Twilio form body is not UTF-8");
  const grouped = new Map<string, string[]>();
  new URLSearchParams(text).forEach((value, name) => {
    const values = grouped.get(name);
    if (values === undefined) grouped.set(name, [value]);
    else values.push(value);
  });
  let out = "";
  for (const name of [...grouped.keys()].sort()) {
    for (const value of [...new Set(grouped.get(name))].sort()) out += name + value;
  }
  return out;
}

// `extra` carries the precomputed signed strings: [parameters, ...urls].
function twilioFields(urls: readonly string[], parameters: string) {
  return { extra: [utf8(parameters), ...urls.map((url) => utf8(url))] };
}

function unpack(extra: readonly Uint8Array[] | undefined): { parameters: Uint8Array; urls: readonly Uint8Array[] } {
  const [parameters = new Uint8Array(0), ...urls] = extra ?? [];
  return { parameters, urls };
}

async function bodyHashMatches(body: Uint8Array, expectedHex: string): Promise<boolean> {
  const actual = utf8(encodeHex(await cryptoBackend.digest("SHA-256", body)));
  return cryptoBackend.timingSafeEqual(actual, utf8(expectedHex.toLowerCase()));
}

/** JSON bodies are signed through the bodySHA256 query parameter; form bodies through their parameters. */
function signedParameters(url: URL, body: Uint8Array, code: "malformed_body" | "invalid_options"): string {
  return url.searchParams.has(BODY_HASH_PARAM) ? "" : formParameters(body, code);
}

const HMAC_SHA1 = hmacSignature("SHA-1");

const twilioFormat: SignatureFormat = {
  name: "twilio",
  timestamped: false,
  algorithms: [HMAC_SHA1],
  async read(incoming) {
    const value = requireHeader(incoming.header, HEADER);
    const mac = decodeBase64(value);
    if (mac === undefined || mac.length !== 20)
      throw new WebhookError("malformed_header", `${HEADER} is not a base64 SHA-1 MAC`);
    const url = parseUrl(incoming.url, "malformed_header");
    // A JSON body's hash is checked in `confirm`, once the MAC over the URL holds.
    const parameters = signedParameters(url, incoming.body, "malformed_body");
    const token = incoming.header(IDEMPOTENCY_HEADER);
    return {
      id: token !== undefined && TOKEN.test(token) ? token : undefined,
      signatures: [[mac]],
      ...twilioFields(urlVariants(incoming.url), parameters),
    };
  },
  fieldsFor(message) {
    if (typeof message.url !== "string") throw new WebhookError("invalid_options", "twilio signs the URL: pass `url`");
    // The URL exactly as the request will be sent to it, as Twilio signs it.
    const url = parseUrl(message.url, "invalid_options");
    return twilioFields([message.url], signedParameters(url, toBytes(message.body), "invalid_options"));
  },
  signedContent(fields) {
    const { parameters, urls } = unpack(fields.extra);
    return [urls[0] ?? new Uint8Array(0), parameters];
  },
  receivedContents(fields) {
    const { parameters, urls } = unpack(fields.extra);
    return urls.map((url) => [url, parameters]);
  },
  async confirm(incoming) {
    // The MAC covers the URL and so the body's hash: hashing the body waits until it holds,
    // so a forged JSON request costs one small HMAC, not a hash of the whole body.
    const bodyHash = parseUrl(incoming.url, "malformed_header").searchParams.get(BODY_HASH_PARAM);
    if (bodyHash !== null && !(await bodyHashMatches(incoming.body, bodyHash))) {
      throw new WebhookError("invalid_signature", "the body does not match the signed bodySHA256");
    }
  },
  identify(fields, _body, mac) {
    // The idempotency token is not signed: it names the message, the MAC deduplicates it.
    const replayKey = encodeBase64(mac);
    return fields.id === undefined ? { id: replayKey } : { id: fields.id, replayKey };
  },
  write(_fields, signatures) {
    return { [HEADER]: encodeBase64(signatures[0]?.bytes ?? new Uint8Array(0)) };
  },
};

/**
 * Twilio: `X-Twilio-Signature`, base64 HMAC-SHA1 of the full URL followed by the
 * POST form parameters sorted by name (name and value concatenated). For JSON
 * bodies the URL carries `bodySHA256` (hex SHA-256 of the body), which is checked
 * too. The URL is tried as received, with the default port and without it, as
 * Twilio's SDK does, and with a `'` the URL parser escaped in the query written back.
 * Twilio signs no timestamp: replay protection rests on the store.
 *
 * @example
 * const verifier = createVerifier({ scheme: twilio({ secret: process.env.TWILIO_AUTH_TOKEN }) });
 * // behind a proxy, make sure `request.url` is the public URL Twilio called
 */
export function twilio(options: TwilioOptions): WebhookScheme {
  // The account's auth token, as text.
  return defineSignatureScheme(twilioFormat, hmacKeyring(options, HMAC_SHA1, utf8));
}

export const twilioProvider = defineProvider(
  {
    title: "Twilio",
    algorithm: "hmac-sha1",
    timestamped: false,
    messageId: "I-Twilio-Idempotency-Token names it (unsigned: the MAC deduplicates)",
    docs: "https://www.twilio.com/docs/usage/webhooks/webhooks-security",
    keys: "secret",
    signsUrl: true,
  },
  twilio,
);
