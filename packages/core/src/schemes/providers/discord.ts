import type { AsymmetricKeyOptions } from "../../keys/signature-keyring.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** `publicKey`: the application's public key from the developer portal (hex); `privateKey` signs test interactions. */
export type DiscordOptions = AsymmetricKeyOptions;

/**
 * Discord interactions (and webhook events): Ed25519 over `{timestamp}{body}`, hex signature in
 * `X-Signature-Ed25519`, unix seconds in `X-Signature-Timestamp`, verified with the application's
 * public key (hex, as the developer portal shows it; PEM and JWK work too). The verifier's window
 * applies; the interaction's `id` in the signed body deduplicates. Answer the PING (`type: 1`)
 * in your handler.
 * https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
 *
 * @example
 * const verifier = createVerifier({ scheme: discord({ publicKey: process.env.DISCORD_PUBLIC_KEY }) });
 */
export function discord(options: DiscordOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "discord",
      algorithm: "ed25519",
      signatureHeader: "x-signature-ed25519",
      encoding: "hex",
      timestampHeader: "x-signature-timestamp",
      signedContent: "{timestamp}{body}",
      idJsonField: "id",
    }),
    options,
    "hex",
  );
}

export const discordProvider = defineProvider(
  {
    title: "Discord",
    algorithm: "ed25519",
    timestamped: true,
    messageId: "id in the signed body (the interaction id)",
    docs: "https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers",
    keys: "public-key",
  },
  discord,
);
