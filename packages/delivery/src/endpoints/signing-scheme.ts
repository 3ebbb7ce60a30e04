import { standardWebhooks, type WebhookScheme, WebhookError } from "@hooksec/core";

const SIGNATURE_HEADER = "webhook-signature";

/**
 * Standard Webhooks signed with every live secret of an endpoint: during a rotation's
 * grace period the `webhook-signature` header carries one `v1,` entry per secret
 * (the spec allows several), so a receiver that knows either secret accepts.
 */
export function rotatingStandardWebhooks(secrets: readonly string[]): WebhookScheme {
  const first = secrets[0];
  if (first === undefined) throw new WebhookError("invalid_options", "the endpoint has no live signing secret");
  const schemes = secrets.map((secret) => standardWebhooks({ secret }));
  const primary = standardWebhooks({ secrets: [...secrets] });
  if (schemes.length === 1) return primary;

  async function sign(message: Parameters<WebhookScheme["sign"]>[0]): Promise<Record<string, string>> {
    const all = await Promise.all(schemes.map((scheme) => scheme.sign(message)));
    const headers = { ...all[0] };
    headers[SIGNATURE_HEADER] = all.map((signed) => signed[SIGNATURE_HEADER]).join(" ");
    return headers;
  }

  return {
    name: primary.name,
    timestamped: primary.timestamped,
    verify: (incoming) => primary.verify(incoming),
    sign,
    async encode(message) {
      return { headers: await sign(message), body: message.body };
    },
  };
}
