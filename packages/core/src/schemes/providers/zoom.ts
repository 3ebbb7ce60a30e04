import { cryptoBackend } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { encodeHex } from "../../lib/hex.js";
import { toBytes, utf8 } from "../../lib/utf8.js";
import { jsonObject } from "../signature/json-body.js";
import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link zoom}: the app's secret token, or several while rotating. */
export type ZoomOptions = SecretOptions;

/**
 * Zoom: `x-zm-signature: v0=<hex>`, HMAC-SHA256 over `v0:{timestamp}:{body}` with
 * `x-zm-request-timestamp`, keyed by the app's secret token; the verifier's window applies.
 * Answer Zoom's `endpoint.url_validation` event with `zoomUrlValidation`.
 * https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events
 *
 * @example
 * const verifier = createVerifier({ scheme: zoom({ secret: process.env.ZOOM_WEBHOOK_SECRET }) });
 */
export function zoom(options: ZoomOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "zoom",
      algorithm: "hmac-sha256",
      signatureHeader: "x-zm-signature",
      prefix: "v0=",
      encoding: "hex",
      timestampHeader: "x-zm-request-timestamp",
      signedContent: "v0:{timestamp}:{body}",
    }),
    options,
  );
}

export const zoomProvider = defineProvider(
  {
    title: "Zoom",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "the MAC (Zoom sends no id header; the timestamp is signed)",
    docs: "https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events",
    keys: "secret",
  },
  zoom,
);

/** What Zoom expects back from its `endpoint.url_validation` event (respond 200 with this JSON). */
export interface ZoomUrlValidationResponse {
  readonly plainToken: string;
  readonly encryptedToken: string;
}

/**
 * Answers Zoom's URL validation challenge: for a verified `endpoint.url_validation` event, the
 * response body (`plainToken` and its hex HMAC-SHA256 under the secret token); `undefined` for
 * any other event. Call it with the body of a webhook the verifier accepted.
 * https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint
 *
 * @example
 * const webhook = await verifier.verify(request);
 * const challenge = await zoomUrlValidation(process.env.ZOOM_SECRET_TOKEN, webhook.body);
 * if (challenge) return Response.json(challenge);
 */
export async function zoomUrlValidation(
  secret: string,
  body: Uint8Array | string,
): Promise<ZoomUrlValidationResponse | undefined> {
  if (typeof secret !== "string" || secret === "")
    throw new WebhookError("invalid_options", "zoomUrlValidation needs the secret token");
  const event = jsonObject(toBytes(body));
  const payload = event?.payload as Record<string, unknown> | undefined;
  if (event?.event !== "endpoint.url_validation" || typeof payload?.plainToken !== "string") return undefined;
  const plainToken = payload.plainToken;
  const key = await cryptoBackend.importHmacKey(utf8(secret), "SHA-256");
  return { plainToken, encryptedToken: encodeHex(await cryptoBackend.hmac(key, [plainToken])) };
}
