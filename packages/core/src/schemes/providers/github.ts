import type { SecretOptions } from "../../keys/secret-input.js";
import { signatureFormat } from "../signature/signature-format.js";
import { formatScheme } from "../signature/signature-scheme.js";
import type { WebhookScheme } from "../types.js";
import { defineProvider } from "./provider.js";

/** Options of {@link github}: the webhook's secret, or several while rotating. */
export type GithubOptions = SecretOptions;

/**
 * GitHub: HMAC-SHA256 of the body in `X-Hub-Signature-256: sha256=<hex>`. The
 * legacy SHA-1 `X-Hub-Signature` alone is refused. GitHub signs no timestamp
 * (`timestamped: false`): replay protection rests on the replay store, keyed
 * on the MAC; `X-GitHub-Delivery` names the message.
 *
 * @example
 * const verifier = createVerifier({ scheme: github({ secret: process.env.GITHUB_WEBHOOK_SECRET }) });
 */
export function github(options: GithubOptions): WebhookScheme {
  return formatScheme(
    signatureFormat({
      name: "github",
      algorithm: "hmac-sha256",
      signatureHeader: "x-hub-signature-256",
      prefix: "sha256=",
      encoding: "hex",
      idHeader: "x-github-delivery",
    }),
    options,
  );
}

export const githubProvider = defineProvider(
  {
    title: "GitHub",
    algorithm: "hmac-sha256",
    timestamped: false,
    messageId: "X-GitHub-Delivery names it (unsigned: the MAC deduplicates)",
    docs: "https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries",
    keys: "secret",
  },
  github,
);
