import { randomBytes } from "node:crypto";
import { integerOption, oneOf, parseCommandArgs } from "../lib/args.js";
import type { Command } from "../lib/command.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { printJson } from "../lib/output.js";
import { runRetire, runRotate } from "./secret-rotation.js";

/**
 * Options of {@link createSecret}: the secret's prefix, length and encoding (the defaults make a Standard Webhooks `whsec_` secret).
 */
export interface SecretOptions {
  /** Text before the random part. Default `whsec_` (Standard Webhooks, Svix, Stripe-style). */
  readonly prefix?: string;
  /** Random bytes. Default 32 (Standard Webhooks asks for 24 to 64). */
  readonly bytes?: number;
  /** `base64` (default, what `whsec_` secrets hold) or `hex`. */
  readonly encoding?: "base64" | "hex";
}

/**
 * A new random webhook secret from the system's CSPRNG.
 *
 * @example
 * createSecret(); // "whsec_3q2+7w..."
 */
export function createSecret(options: SecretOptions = {}): string {
  const bytes = options.bytes ?? 32;
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64)
    throw new RangeError("bytes must be an integer from 16 to 64");
  return `${options.prefix ?? "whsec_"}${randomBytes(bytes).toString(options.encoding ?? "base64")}`;
}

export const secretCommand: Command = {
  name: "secret",
  summary: "a new random webhook secret (whsec_...); rotate and retire a keyring",
  help: `Usage: hooksec secret [--prefix whsec_] [--bytes 32] [--encoding base64|hex] [--json]
       hooksec secret rotate [--keyring-env NAME | --keyring-file PATH] [--keep N] [--json]
       hooksec secret retire (--keyring-env NAME | --keyring-file PATH) [--keep 1] [--json]

Prints a new random secret for an endpoint: 32 bytes from the system's CSPRNG,
base64, with the Standard Webhooks prefix. Store it without echoing it:

  WEBHOOK_SECRET=$(hooksec secret)

Options:
  --prefix P      text before the random part (default whsec_; --prefix "" for none)
  --bytes N       random bytes, 16 to 64 (default 32; Standard Webhooks wants 24 to 64)
  --encoding E    base64 (default) or hex (GitHub/Shopify-style secrets)
  --json          print {"secret": "..."}

Rotating a receiving secret (a keyring: secrets newest first, separated by spaces or
commas, as WEBHOOK_SECRETS="whsec_new whsec_old"; verify with
standardWebhooks({ secrets: process.env.WEBHOOK_SECRETS.split(/[\\s,]+/) })):

  rotate   prints the keyring with a new secret in front (it signs; the others still
           verify). Deploy it, give the new secret (the first entry, --json: "secret")
           to the sender. --keep N keeps only the newest N entries (for a compromised
           secret: --keep 1 drops every old one at once).
  retire   after the grace period, prints only the newest --keep entries (default 1).

  --keyring-env NAME   the current keyring from this environment variable
  --keyring-file PATH  or from this file (--keyring VALUE works too, but stays in history)
  --json               print {"secret", "keyring": [...]} (rotate), {"keyring", "retired"} (retire)
`,
  async run(args: readonly string[], io: CliIo): Promise<ExitCode> {
    if (args[0] === "rotate") return runRotate(args.slice(1), io);
    if (args[0] === "retire") return runRetire(args.slice(1), io);
    const { values } = parseCommandArgs(args, {
      prefix: { type: "string" },
      bytes: { type: "string" },
      encoding: { type: "string" },
      json: { type: "boolean" },
    });
    const secret = createSecret({
      prefix: values.prefix ?? "whsec_",
      bytes: integerOption(values.bytes, "bytes", 32, 16, 64),
      encoding:
        values.encoding === undefined ? "base64" : oneOf(values.encoding, "encoding", ["base64", "hex"] as const),
    });
    if (values.json) printJson(io, { secret });
    else io.stdout(`${secret}\n`);
    return EXIT.ok;
  },
};
