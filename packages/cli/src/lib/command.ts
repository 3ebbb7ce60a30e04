import type { CliIo, ExitCode } from "./io.js";

/** One `hooksec` command: its help text and what it does with its arguments. */
export interface Command {
  readonly name: string;
  /** One line for `hooksec --help`. */
  readonly summary: string;
  /** The whole `--help` text. */
  readonly help: string;
  run(args: readonly string[], io: CliIo): Promise<ExitCode>;
}
