import type { SecretOptions } from "../../keys/secret-input.js";
import { defineProvider } from "./provider.js";
import { defineSharedTokenScheme, type SharedTokenScheme } from "./shared-token.js";

/**
 * Options of {@link telegram}: the `secret_token` given to `setWebhook` (sent as is, so it is compared, not used as a key).
 */
export type TelegramOptions = SecretOptions;

/**
 * Telegram Bot API: the `secret_token` given to `setWebhook`, repeated in
 * `X-Telegram-Bot-Api-Secret-Token` and compared in constant time. A shared token, not a
 * signature (`proof: "shared-token"`): the body is not authenticated and nothing is timestamped;
 * the body's SHA-256 deduplicates (the `update_id` inside is unsigned).
 * https://core.telegram.org/bots/api#setwebhook
 *
 * @example
 * const verifier = createVerifier({ scheme: telegram({ secret: process.env.TELEGRAM_WEBHOOK_SECRET }) });
 */
export function telegram(options: TelegramOptions): SharedTokenScheme {
  return defineSharedTokenScheme(
    { name: "telegram", header: "x-telegram-bot-api-secret-token", write: (token) => token },
    options,
  );
}

export const telegramProvider = defineProvider(
  {
    title: "Telegram Bot API",
    algorithm: "shared-token",
    timestamped: false,
    messageId: "the body's SHA-256 (update_id is inside, unsigned)",
    docs: "https://core.telegram.org/bots/api#setwebhook",
    keys: "token",
  },
  telegram,
);
