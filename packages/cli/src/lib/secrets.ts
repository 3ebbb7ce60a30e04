import { readFile } from "node:fs/promises";
import type { CliIo } from "./io.js";
import { CommandError, UsageError } from "./usage-error.js";

/**
 * The secrets of `--secret` and `--secret-env NAME` (read from the environment,
 * so they stay out of shell history and `ps`), in the order given; at least one.
 */
export function readSecrets(
  values: { secret?: string[] | undefined; "secret-env"?: string[] | undefined },
  io: CliIo,
): string[] {
  const secrets = [...(values.secret ?? [])];
  for (const name of values["secret-env"] ?? []) {
    const value = io.env[name];
    if (value === undefined || value === "")
      throw new UsageError(`--secret-env ${name}: the environment variable is not set`);
    secrets.push(value);
  }
  if (secrets.length === 0) throw new UsageError("--secret or --secret-env is required");
  if (secrets.some((secret) => secret === "")) throw new UsageError("--secret must not be empty");
  return secrets;
}

/** Where one secret option's value may come from: `--X VALUE`, `--X-env NAME` or `--X-file PATH`. */
export interface SecretSources {
  readonly value?: string | undefined;
  readonly env?: string | undefined;
  readonly file?: string | undefined;
}

/**
 * The value of a secret option given one of three ways: on the command line (visible in
 * `ps` and kept in shell history), from an environment variable, or from a file (one
 * trailing newline dropped, as `echo` and editors leave one). `undefined` when none is given.
 */
export async function readSecretOption(io: CliIo, option: string, sources: SecretSources): Promise<string | undefined> {
  const given = (["value", "env", "file"] as const).filter((source) => sources[source] !== undefined);
  if (given.length > 1) throw new UsageError(`give one of --${option}, --${option}-env and --${option}-file`);
  if (sources.env !== undefined) {
    const value = io.env[sources.env];
    if (value === undefined || value === "")
      throw new UsageError(`--${option}-env ${sources.env}: the environment variable is not set`);
    return value;
  }
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = await readFile(sources.file, "utf8");
    } catch (cause) {
      throw new CommandError(
        `cannot read --${option}-file ${sources.file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      );
    }
    const value = text.replace(/\r?\n$/, "");
    if (value === "") throw new UsageError(`--${option}-file ${sources.file} is empty`);
    return value;
  }
  return sources.value;
}
