import type { WebhookScheme } from "@hooksec/core";
import { oneOf } from "./args.js";
import type { CliIo } from "./io.js";
import { SCHEME_NAMES, type SchemeName, providerInfo, schemeFor } from "./schemes.js";
import { readSecrets } from "./secrets.js";
import { UsageError } from "./usage-error.js";

/** The options every signing command shares. */
export const SCHEME_OPTIONS = {
  scheme: { type: "string" },
  secret: { type: "string", multiple: true },
  "secret-env": { type: "string", multiple: true },
  body: { type: "string" },
  "body-file": { type: "string" },
  url: { type: "string" },
  json: { type: "boolean" },
} as const;

/** The scheme names, wrapped under the `--scheme` option's help. */
function schemeList(): string {
  const lines: string[] = [];
  let line = "";
  for (const name of SCHEME_NAMES) {
    const next = line === "" ? name : `${line}, ${name}`;
    if (next.length > 60 && line !== "") {
      lines.push(`${line},`);
      line = name;
    } else line = next;
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(21)}`);
}

const SIGNS_URL = () => SCHEME_NAMES.filter((name) => providerInfo(name).signsUrl === true).join(", ");

/** The help lines of those options (`send` takes the URL as its argument, not `--url`). */
export const schemeHelp = (
  options: { url: boolean } = { url: true },
): string => `  --scheme S         (required) one of the provider registry's presets:
                     ${schemeList()}
  --secret S         the secret (whsec_..., or the provider's secret, token or user:password; for
                     standard-webhooks also whsk_/whpk_ Ed25519 keys; for public-key providers a
                     PEM or JWK private key signs, their public key verifies). Repeat it for a
                     keyring: the first signs, any verifies
  --secret-env NAME  read the secret from the environment variable NAME instead, so it stays out
                     of your shell history and of \`ps\` (repeatable, combinable with --secret)
  --body TEXT        the body, signed as its UTF-8 bytes
  --body-file F      the body from a file, byte for byte (- reads standard input)
${options.url ? `  --url URL          the endpoint URL (required for the schemes that sign it: ${SIGNS_URL()})\n` : ""}  --json             print JSON`;

/** The scheme named by `--scheme`, keyed by `--secret`/`--secret-env`. */
export function schemeFromArgs(
  values: {
    scheme?: string | undefined;
    secret?: string[] | undefined;
    "secret-env"?: string[] | undefined;
    url?: string | undefined;
  },
  io: CliIo,
): { name: SchemeName; scheme: WebhookScheme } {
  const name = oneOf(values.scheme, "scheme", SCHEME_NAMES);
  if (providerInfo(name).signsUrl === true && values.url === undefined)
    throw new UsageError(`--url is required for ${name} (it signs the URL)`);
  if (values.url !== undefined && !URL.canParse(values.url))
    throw new UsageError(`--url is not a URL: '${values.url}'`);
  return { name, scheme: schemeFor(name, readSecrets(values, io)) };
}
