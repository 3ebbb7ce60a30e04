/** A command line that cannot be run as written: exit code 2, with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A command that ran and failed (a file exists, openssl failed): exit code 1. */
export class CommandError extends Error {
  override readonly name = "CommandError";
}
