import { standardWebhooks } from "@hooksec/core";
import { integerOption, parseCommandArgs } from "../lib/args.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { printJson } from "../lib/output.js";
import { readSecretOption } from "../lib/secrets.js";
import { UsageError } from "../lib/usage-error.js";
import { createSecret } from "./secret.js";

/**
 * A keyring as an environment variable holds it: secrets newest first, separated by
 * spaces, commas or newlines. The receiver verifies with any of them and the newest signs:
 * `standardWebhooks({ secrets: parseKeyring(process.env.WEBHOOK_SECRETS) })`.
 *
 * @example
 * parseKeyring("whsec_new whsec_old"); // ["whsec_new", "whsec_old"]
 */
export function parseKeyring(text: string): string[] {
  return text.split(/[\s,]+/).filter((entry) => entry !== "");
}

/** Refuses a keyring entry a Standard Webhooks scheme cannot use, naming its position, never its value. */
function checkKeyring(keyring: readonly string[]): void {
  keyring.forEach((secret, index) => {
    try {
      standardWebhooks({ secret });
    } catch {
      throw new UsageError(
        `keyring entry ${index + 1} of ${keyring.length} is not a usable Standard Webhooks secret (whsec_ + base64 of 24 to 64 bytes)`,
      );
    }
  });
}

/**
 * The first step of a rotation: a new secret in front of the current keyring (it signs from
 * now on; every older entry still verifies). Give the new secret to the senders, then
 * `retireKeyring` once the grace period is over.
 *
 * @example
 * rotateKeyring(["whsec_old"]); // { secret: "whsec_new...", keyring: ["whsec_new...", "whsec_old"] }
 */
export function rotateKeyring(
  current: readonly string[],
  options: { secret?: string; keep?: number } = {},
): { secret: string; keyring: string[] } {
  const secret = options.secret ?? createSecret();
  const keyring = [secret, ...current.filter((entry) => entry !== secret)];
  return { secret, keyring: options.keep === undefined ? keyring : keyring.slice(0, options.keep) };
}

/**
 * The last step: only the newest `keep` entries (default 1), once no sender signs with the
 * older ones (watch `hooksec.key.id` on `hooksec.webhook.received`).
 */
export function retireKeyring(current: readonly string[], keep = 1): string[] {
  return current.slice(0, keep);
}

async function readKeyring(
  io: CliIo,
  values: { keyring?: string; "keyring-env"?: string; "keyring-file"?: string },
  need: boolean,
): Promise<string[]> {
  const text = await readSecretOption(io, "keyring", {
    value: values.keyring,
    env: values["keyring-env"],
    file: values["keyring-file"],
  });
  if (text === undefined) {
    if (need) throw new UsageError("--keyring-env NAME (or --keyring-file PATH) is required");
    return [];
  }
  const keyring = parseKeyring(text);
  if (keyring.length === 0) throw new UsageError("the keyring is empty");
  checkKeyring(keyring);
  return keyring;
}

const KEYRING_OPTIONS = {
  keyring: { type: "string" },
  "keyring-env": { type: "string" },
  "keyring-file": { type: "string" },
  keep: { type: "string" },
  json: { type: "boolean" },
} as const;

/** `hooksec secret rotate`. */
export async function runRotate(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs(args, { ...KEYRING_OPTIONS, bytes: { type: "string" } });
  const current = await readKeyring(io, values, false);
  const secret = createSecret({ bytes: integerOption(values.bytes, "bytes", 32, 24, 64) });
  const { keyring } = rotateKeyring(current, {
    secret,
    keep: values.keep === undefined ? undefined : integerOption(values.keep, "keep", 2, 1, 16),
  });
  if (values.json) printJson(io, { secret, keyring });
  else io.stdout(`${keyring.join(" ")}\n`);
  return EXIT.ok;
}

/** `hooksec secret retire`. */
export async function runRetire(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs(args, KEYRING_OPTIONS);
  const current = await readKeyring(io, values, true);
  const keyring = retireKeyring(current, integerOption(values.keep, "keep", 1, 1, 16));
  if (values.json) printJson(io, { keyring, retired: current.length - keyring.length });
  else io.stdout(`${keyring.join(" ")}\n`);
  return EXIT.ok;
}
