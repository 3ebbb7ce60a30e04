import type { SecretOptions } from "../../keys/secret-input.js";
import { defineProvider } from "./provider.js";
import { defineSharedTokenScheme, type SharedTokenScheme } from "./shared-token.js";

/**
 * Options of {@link gitlab}: the webhook's secret token (GitLab sends it as is, so it is compared, not used as a key).
 */
export type GitlabOptions = SecretOptions;

/**
 * GitLab: the webhook's secret token repeated in `X-Gitlab-Token`, compared in constant time.
 * It is not a signature: it proves the sender knows the token, not that the body is unchanged
 * (`proof: "shared-token"`), and nothing is timestamped. `X-Gitlab-Event-UUID` names the message;
 * the body's SHA-256 deduplicates. Use HTTPS, and an IP allowlist where you can.
 * https://docs.gitlab.com/user/project/integrations/webhooks/#validate-requests-with-a-secret-token
 *
 * @example
 * const verifier = createVerifier({ scheme: gitlab({ secret: process.env.GITLAB_WEBHOOK_TOKEN }) });
 */
export function gitlab(options: GitlabOptions): SharedTokenScheme {
  return defineSharedTokenScheme(
    { name: "gitlab", header: "x-gitlab-token", write: (token) => token, idHeader: "x-gitlab-event-uuid" },
    options,
  );
}

export const gitlabProvider = defineProvider(
  {
    title: "GitLab",
    algorithm: "shared-token",
    timestamped: false,
    messageId: "X-Gitlab-Event-UUID names it (unsigned: the body's SHA-256 deduplicates)",
    docs: "https://docs.gitlab.com/user/project/integrations/webhooks/#validate-requests-with-a-secret-token",
    keys: "token",
  },
  gitlab,
);
