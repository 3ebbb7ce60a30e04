import { WebhookError } from "../../errors/webhook-error.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { decodeUtf8, utf8 } from "../../lib/utf8.js";
import { requireHeader } from "../signature/header-fields.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";
import { urlToSign } from "./signed-url.js";

/** Options of {@link hubspot}: the app's client secret, or several while rotating. */
export type HubspotOptions = SecretOptions;

const TIMESTAMP_HEADER = "x-hubspot-request-timestamp";
const MILLISECONDS = /^\d{1,15}$/;
// HubSpot signs the URI with these characters decoded (its docs' table), so a URL as received,
// `%40` and all, is brought to that form first: https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation
const DECODED: Record<string, string> = {
  "3A": ":",
  "2F": "/",
  "3F": "?",
  "40": "@",
  "21": "!",
  "24": "$",
  "27": "'",
  "28": "(",
  "29": ")",
  "2A": "*",
  "2C": ",",
  "3B": ";",
};
const ENCODED = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** The request URI as HubSpot signs it. */
function signedUri(url: string): string {
  return url.replace(ENCODED, (match, hex: string) => DECODED[hex.toUpperCase()] ?? match);
}

/**
 * HubSpot signature v3: `X-HubSpot-Signature-v3`, base64 HMAC-SHA256 over method + URL + body +
 * `X-HubSpot-Request-Timestamp` (milliseconds), keyed by the app's client secret. The verifier's
 * window applies to the timestamp (HubSpot's own limit is 5 minutes); the MAC deduplicates.
 * The URL is the request's as received, with the characters HubSpot's docs list (`%3A`, `%40`...)
 * decoded as HubSpot signs them: behind a proxy, make sure it is the public one.
 * https://developers.hubspot.com/docs/guides/apps/authentication/validating-requests
 *
 * @example
 * const verifier = createVerifier({ scheme: hubspot({ secret: process.env.HUBSPOT_CLIENT_SECRET }) });
 */
export function hubspot(options: HubspotOptions): WebhookScheme {
  const resolved = signatureFormat({
    name: "hubspot",
    algorithm: "hmac-sha256",
    signatureHeader: "x-hubspot-signature-v3",
    encoding: "base64",
  });
  const { format } = resolved;
  return formatScheme(
    {
      ...resolved,
      format: {
        ...format,
        timestamped: true,
        async read(incoming) {
          const fields = await format.read(incoming);
          const milliseconds = requireHeader(incoming.header, TIMESTAMP_HEADER);
          if (!MILLISECONDS.test(milliseconds))
            throw new WebhookError("malformed_header", `${TIMESTAMP_HEADER} is not unix milliseconds`);
          return {
            ...fields,
            extra: [utf8(incoming.method.toUpperCase()), utf8(signedUri(incoming.url)), utf8(milliseconds)],
          };
        },
        fieldsFor(message) {
          const milliseconds = message.timestamp.getTime();
          if (!Number.isSafeInteger(milliseconds) || milliseconds < 0)
            throw new WebhookError("invalid_options", "timestamp must be a valid Date after 1970");
          return {
            extra: [
              utf8("POST"),
              utf8(signedUri(urlToSign("hubspot", undefined, message.url))),
              utf8(String(milliseconds)),
            ],
          };
        },
        signedContent(fields, body) {
          const [method = new Uint8Array(0), url = new Uint8Array(0), milliseconds = new Uint8Array(0)] =
            fields.extra ?? [];
          return [method, url, body, milliseconds];
        },
        identify(fields, body, proof) {
          const identity = format.identify?.(fields, body, proof) ?? { id: "" };
          return { ...identity, timestamp: new Date(Number(decodeUtf8(fields.extra?.[2] ?? new Uint8Array(0)))) };
        },
        write(fields, signatures) {
          return {
            ...format.write(fields, signatures),
            [TIMESTAMP_HEADER]: decodeUtf8(fields.extra?.[2] ?? new Uint8Array(0)),
          };
        },
      },
    },
    options,
  );
}

export const hubspotProvider = defineProvider(
  {
    title: "HubSpot (signature v3)",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "the MAC (the timestamp is signed)",
    docs: "https://developers.hubspot.com/docs/guides/apps/authentication/validating-requests",
    keys: "secret",
    signsUrl: true,
  },
  hubspot,
);
