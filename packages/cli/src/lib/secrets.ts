import type { CliIo } from "./io.js";
import { UsageError } from "./usage-error.js";

/**
 * The secrets of `--secret` and `--secret-env NAME` (read from the environment,
 * so they stay out of shell history and `ps`), in the order given; at least one.
 */
export function readSecrets(values: { secret?: string[] | undefined; "secret-env"?: string[] | undefined }, io: CliIo): string[] {
  const secrets = [...(values.secret ?? [])];
  for (const name of values["secret-env"] ?? []) {
    const value = io.env[name];
    if (value === undefined || value === "") throw new UsageError(`--secret-env ${name}: the environment variable is not set`);
    secrets.push(value);
  }
  if (secrets.length === 0) throw new UsageError("--secret or --secret-env is required");
  if (secrets.some((secret) => secret === "")) throw new UsageError("--secret must not be empty");
  return secrets;
}
