import { WebhookError } from "../../errors/webhook-error.js";

/** The URL a sender signs: given in the options, or the message's own; `invalid_options` when neither is absolute. */
export function urlToSign(name: string, configured: string | undefined, fromMessage: string | undefined): string {
  const url = configured ?? fromMessage;
  if (typeof url !== "string" || !URL.canParse(url))
    throw new WebhookError("invalid_options", `${name} signs the URL: pass \`url\` (absolute)`);
  return url;
}
