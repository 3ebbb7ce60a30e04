import { WebhookError } from "../../errors/webhook-error.js";
import { parseCertificate } from "../../identity/certificate.js";
import { certificatePublicKey, type KeyInput, prepareAsymmetricKey } from "../../keys/asymmetric-keys.js";
import { asymmetricKeyring, type PreparedSignatureKey, type SignatureKeyring } from "../../keys/signature-keyring.js";
import { decodeBase64, encodeBase64 } from "../../lib/base64.js";
import { decodeUtf8Strict, toBytes, utf8 } from "../../lib/utf8.js";
import { resolveAlgorithm } from "../signature/algorithm.js";
import type { SignatureFormat } from "../signature/fields.js";
import { requireHeader } from "../signature/header-fields.js";
import { customScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { crc32 } from "./paypal-crc32.js";
import { createKeyCache, type KeyCacheOptions } from "./plaid-paypal-key-cache.js";
import { defineProvider } from "./provider.js";

/**
 * Fetches the PEM certificate at a PayPal certificate URL (already checked to be https on a
 * PayPal API host); `undefined` when PayPal answers that there is none (404). Throw when it
 * cannot be fetched. Use an HTTP client that does not follow redirects and bounds the size.
 */
export type PaypalCertificateFetcher = (
  url: string,
  context: { readonly signal: AbortSignal },
) => Promise<string | undefined | null>;

/**
 * Options of `providers.paypal`: PayPal signs with a certificate it names per message, so
 * verifying needs a way to fetch that certificate and the webhook id the signature covers.
 */
export interface PaypalOptions {
  /** The webhook's id in the PayPal developer dashboard: it is signed, so a message for another webhook is refused. */
  readonly webhookId: string;
  /**
   * Verifying: fetches the certificate PAYPAL-CERT-URL names, e.g.
   * `async (url, { signal }) => { const r = await fetch(url, { signal, redirect: "error" }); return r.status === 404 ? undefined : r.ok ? r.text() : Promise.reject(new Error(String(r.status))) }`.
   */
  readonly fetchCertificate?: PaypalCertificateFetcher;
  /** Caching and rate limiting of `fetchCertificate` (keys never outlive their certificate). */
  readonly certificateCache?: KeyCacheOptions;
  /** Signing (to test a handler): an RSA private key (PEM, DER or JWK). */
  readonly privateKey?: KeyInput;
  /** Signing: the certificate URL written in PAYPAL-CERT-URL (on a PayPal host, as a receiver requires). */
  readonly certificateUrl?: string;
}

const HEADERS = {
  id: "paypal-transmission-id",
  time: "paypal-transmission-time",
  signature: "paypal-transmission-sig",
  certificate: "paypal-cert-url",
  algorithm: "paypal-auth-algo",
} as const;
const AUTH_ALGO = "SHA256withRSA";
const RSA_SHA256 = resolveAlgorithm("rsa-pkcs1-sha256");
/** PayPal's API hosts, live and sandbox: the only places a certificate is fetched from. */
const PAYPAL_HOSTS: ReadonlySet<string> = new Set([
  "api.paypal.com",
  "api-m.paypal.com",
  "api.sandbox.paypal.com",
  "api-m.sandbox.paypal.com",
]);
const CERTIFICATE_PATH = "/v1/notifications/certs/";
const WEBHOOK_ID = /^[A-Za-z0-9]{1,50}$/;
// `|` separates the signed fields: an id may not contain it.
const TRANSMISSION_ID = /^[\x21-\x7b\x7d\x7e]{1,256}$/;
const INTERNET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const MIN_RSA_SIGNATURE = 128;
const MAX_RSA_SIGNATURE = 1024;
const MAX_CERTIFICATE_CHARS = 64 * 1024;
const FIRST_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/**
 * A certificate URL PayPal could have written: https, a PayPal API host exactly, default port,
 * no credentials, under the certificates path, in its one canonical spelling. Checked before
 * anything is fetched: the header is not signed, anyone can write it.
 */
function checkCertificateUrl(value: string, code: "untrusted_key" | "invalid_options"): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    url.href !== value ||
    url.protocol !== "https:" ||
    url.username !== "" ||
    url.password !== "" ||
    url.port !== "" ||
    !PAYPAL_HOSTS.has(url.hostname) ||
    !url.pathname.startsWith(CERTIFICATE_PATH) ||
    url.pathname.length === CERTIFICATE_PATH.length ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    throw new WebhookError(code, `${HEADERS.certificate} is not a certificate URL on a PayPal API host`);
  }
  return value;
}

/** Internet date-time (RFC 3339) as PayPal writes it; `undefined` for anything else. */
function parseTransmissionTime(text: string): Date | undefined {
  if (!INTERNET_TIME.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/** What PayPal signs: `transmissionId|transmissionTime|webhookId|crc32(body)` (unsigned decimal). */
function signedString(id: string, time: string, webhookId: string, body: Uint8Array): Uint8Array {
  return utf8(`${id}|${time}|${webhookId}|${crc32(body)}`);
}

// extra: [the signed string, the transmission time as sent, the certificate URL (signing only)]
function paypalFormat(webhookId: string, certificateUrl: string | undefined): SignatureFormat {
  return {
    name: "paypal",
    timestamped: true,
    algorithms: [RSA_SHA256],
    read(incoming) {
      const id = requireHeader(incoming.header, HEADERS.id);
      if (!TRANSMISSION_ID.test(id))
        throw new WebhookError("malformed_header", `${HEADERS.id} is not 1-256 visible characters without |`);
      const time = requireHeader(incoming.header, HEADERS.time);
      if (parseTransmissionTime(time) === undefined)
        throw new WebhookError("malformed_header", `${HEADERS.time} is not an Internet date-time`);
      const algorithm = requireHeader(incoming.header, HEADERS.algorithm);
      if (algorithm !== AUTH_ALGO)
        throw new WebhookError("algorithm_not_allowed", `${HEADERS.algorithm} is not ${AUTH_ALGO}`);
      const certificate = checkCertificateUrl(requireHeader(incoming.header, HEADERS.certificate), "untrusted_key");
      const signature = decodeBase64(requireHeader(incoming.header, HEADERS.signature));
      if (signature === undefined || signature.length < MIN_RSA_SIGNATURE || signature.length > MAX_RSA_SIGNATURE) {
        throw new WebhookError("malformed_header", `${HEADERS.signature} is not a base64 RSA signature`);
      }
      return {
        id,
        keyId: certificate,
        signatures: [[signature]],
        extra: [signedString(id, time, webhookId, incoming.body), utf8(time)],
      };
    },
    fieldsFor(message) {
      if (certificateUrl === undefined)
        throw new WebhookError("invalid_options", "paypal signing needs `certificateUrl`");
      const id = message.id;
      if (typeof id !== "string" || !TRANSMISSION_ID.test(id))
        throw new WebhookError("invalid_options", "a PayPal transmission id is 1-256 visible characters without |");
      const ms = message.timestamp.getTime();
      if (!Number.isFinite(ms) || ms < 0)
        throw new WebhookError("invalid_options", "timestamp must be a valid Date after 1970");
      // PayPal writes whole seconds: 2016-09-21T22:00:46Z.
      const time = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
      return {
        id,
        extra: [signedString(id, time, webhookId, toBytes(message.body)), utf8(time), utf8(certificateUrl)],
      };
    },
    signedContent(fields) {
      return [fields.extra?.[0] ?? new Uint8Array(0)];
    },
    identify(fields) {
      // The transmission id and time are signed: the id deduplicates, the time meets the window.
      const time = decodeUtf8Strict(fields.extra?.[1] ?? new Uint8Array(0)) ?? "";
      return { id: fields.id ?? "", timestamp: parseTransmissionTime(time) };
    },
    write(fields, signatures) {
      const decode = (bytes: Uint8Array | undefined) => decodeUtf8Strict(bytes ?? new Uint8Array(0)) ?? "";
      return {
        [HEADERS.id]: fields.id ?? "",
        [HEADERS.time]: decode(fields.extra?.[1]),
        [HEADERS.signature]: encodeBase64(signatures[0]?.bytes ?? new Uint8Array(0)),
        [HEADERS.certificate]: decode(fields.extra?.[2]),
        [HEADERS.algorithm]: AUTH_ALGO,
      };
    },
  };
}

/** The leaf (first) certificate of the PEM PayPal serves, as a key usable until the certificate expires. */
async function certificateKey(url: string, pem: unknown) {
  if (typeof pem !== "string")
    throw new WebhookError(
      "invalid_options",
      "paypal fetchCertificate must return the PEM text, or undefined for a 404",
    );
  const base64 = pem.length > MAX_CERTIFICATE_CHARS ? undefined : FIRST_CERTIFICATE.exec(pem)?.[1];
  const der = base64 === undefined ? undefined : decodeBase64(base64.replace(/\s+/g, ""));
  const spki = der === undefined ? undefined : certificatePublicKey(der);
  if (der === undefined || spki === undefined)
    throw new WebhookError("key_set_unavailable", "the PayPal certificate is not a PEM certificate");
  let validity: { notBefore: Date; notAfter: Date };
  try {
    validity = await parseCertificate(der);
  } catch (cause) {
    throw new WebhookError("key_set_unavailable", "the PayPal certificate could not be read", { cause });
  }
  const now = Date.now();
  if (now < validity.notBefore.getTime() || now >= validity.notAfter.getTime()) return undefined;
  let prepared: Awaited<ReturnType<typeof prepareAsymmetricKey>>;
  try {
    prepared = await prepareAsymmetricKey({ id: url, data: { format: "spki", der: spki } }, RSA_SHA256);
  } catch (cause) {
    throw new WebhookError("key_set_unavailable", "the PayPal certificate does not hold an RSA key", { cause });
  }
  const key: PreparedSignatureKey = {
    id: prepared.id,
    slot: 0,
    hmac: undefined,
    verifyKey: prepared.publicKey,
    signKey: undefined,
  };
  return { key, notAfter: validity.notAfter.getTime() };
}

function certificateKeyring(
  fetchCertificate: PaypalCertificateFetcher | undefined,
  cacheOptions: KeyCacheOptions | undefined,
  signing: SignatureKeyring | undefined,
): SignatureKeyring {
  const cache =
    fetchCertificate === undefined
      ? undefined
      : createKeyCache<PreparedSignatureKey>(
          "PayPal certificate",
          async (url, signal) => {
            const pem = await fetchCertificate(url, { signal });
            return pem === undefined || pem === null ? undefined : certificateKey(url, pem);
          },
          cacheOptions,
        );
  return {
    async keysFor(tenant, received) {
      // Signing asks without a received message; verifying names the certificate URL.
      if (received === undefined) {
        if (signing === undefined)
          throw new WebhookError(
            "invalid_options",
            "this paypal scheme only verifies: pass privateKey and certificateUrl to sign",
          );
        return signing.keysFor(tenant);
      }
      if (cache === undefined)
        throw new WebhookError("invalid_options", "this paypal scheme only signs: pass fetchCertificate to verify");
      if (received.keyId === undefined) throw new WebhookError("malformed_header", `missing ${HEADERS.certificate}`);
      const key = await cache.get(received.keyId);
      if (key === undefined)
        throw new WebhookError(
          "invalid_signature",
          "no current PayPal certificate at that URL (none, expired or not yet valid)",
        );
      return [key];
    },
  };
}

/**
 * PayPal: RSA-SHA256 (`PAYPAL-AUTH-ALGO: SHA256withRSA`, nothing else) over
 * `transmissionId|transmissionTime|webhookId|crc32(body)` (CRC-32 as unsigned decimal), base64
 * in PAYPAL-TRANSMISSION-SIG, verified with the certificate PAYPAL-CERT-URL names. That header is
 * not signed, so the URL must be https on a PayPal API host (api.paypal.com, api-m.paypal.com and
 * their sandbox twins; exact host, no credentials, no other port, the certificates path) before
 * anything is fetched, through your `fetchCertificate` (the core's sender transport only POSTs);
 * certificates are cached by URL (bounded, never past their expiry; unknown URLs are not asked
 * again for a while and share a fetch budget). The transmission time is signed: the verifier's
 * window applies; the signed transmission id deduplicates. CRC-32 is not a cryptographic hash:
 * the body is bound to the signature only weakly, so the single-use transmission id and the
 * window are what stop a captured signature from carrying another body; for money movements,
 * read the resource back from PayPal's API.
 * https://developer.paypal.com/api/rest/webhooks/rest/
 *
 * @example
 * const scheme = providers.paypal.create({
 *   webhookId: process.env.PAYPAL_WEBHOOK_ID,
 *   fetchCertificate: async (url, { signal }) => {
 *     const response = await fetch(url, { signal, redirect: "error" });
 *     if (response.status === 404) return undefined;
 *     if (!response.ok) throw new Error(`PayPal certificate: ${response.status}`);
 *     return response.text();
 *   },
 * });
 */
export function paypal(options: PaypalOptions): WebhookScheme {
  if (typeof options !== "object" || options === null)
    throw new WebhookError("invalid_options", "paypal needs options");
  const { webhookId, fetchCertificate, privateKey, certificateUrl } = options;
  if (typeof webhookId !== "string" || !WEBHOOK_ID.test(webhookId)) {
    throw new WebhookError(
      "invalid_options",
      "paypal needs `webhookId`, the webhook's id in the PayPal dashboard (letters and digits); is the variable set where this runs?",
    );
  }
  if (fetchCertificate !== undefined && typeof fetchCertificate !== "function")
    throw new WebhookError("invalid_options", "paypal fetchCertificate must be a function");
  if (fetchCertificate === undefined && privateKey === undefined) {
    throw new WebhookError(
      "invalid_options",
      "paypal needs `fetchCertificate` (to verify) or `privateKey` with `certificateUrl` (to sign)",
    );
  }
  if (privateKey !== undefined && certificateUrl === undefined)
    throw new WebhookError("invalid_options", "paypal signing needs `certificateUrl`");
  const url = certificateUrl === undefined ? undefined : checkCertificateUrl(certificateUrl, "invalid_options");
  const signing = privateKey === undefined ? undefined : asymmetricKeyring({ privateKey }, RSA_SHA256);
  return customScheme(
    paypalFormat(webhookId, url),
    certificateKeyring(fetchCertificate, options.certificateCache, signing),
  );
}

export const paypalProvider = defineProvider(
  {
    title: "PayPal",
    algorithm: "rsa-pkcs1-sha256",
    timestamped: true,
    messageId: "PAYPAL-TRANSMISSION-ID (signed); the body only through its CRC-32",
    docs: "https://developer.paypal.com/api/rest/webhooks/rest/",
    keys: "key-fetcher",
  },
  paypal,
);
