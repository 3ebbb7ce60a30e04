import { readFileSync } from "node:fs";
import { isWebhookError } from "@hooksec/core";
import { caCommand } from "./commands/ca.js";
import { keypairCommand } from "./commands/keypair.js";
import { logCommand } from "./commands/log.js";
import { secretCommand } from "./commands/secret.js";
import { sendCommand } from "./commands/send.js";
import { signCommand } from "./commands/sign.js";
import { verifyCommand } from "./commands/verify.js";
import type { Command } from "./lib/command.js";
import { type CliIo, EXIT, type ExitCode, processIo } from "./lib/io.js";
import { CommandError, UsageError } from "./lib/usage-error.js";

const COMMANDS: readonly Command[] = [
  secretCommand,
  keypairCommand,
  caCommand,
  signCommand,
  verifyCommand,
  sendCommand,
  logCommand,
];

function version(): string {
  // The same relative path from src/ and from dist/.
  const manifest: unknown = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return typeof manifest === "object" && manifest !== null && "version" in manifest
    ? String(manifest.version)
    : "unknown";
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: hooksec <command> [options]

Webhook secrets, keys, certificates for mTLS, and signing, verifying and sending
from the shell, with @hooksec/core.

Commands:
${lines.join("\n")}

Run 'hooksec <command> --help' for a command's options.
Exit codes: 0 ok, 1 refused or failed, 2 usage error.
Secrets can be read from the environment (--secret-env NAME) to keep them out of shell history.
`;
}

const isHelpFlag = (arg: string | undefined) => arg === "--help" || arg === "-h";

/**
 * Runs one `hooksec` command line (without `node` and the script) and resolves with its exit
 * code: 0 ok, 1 refused or failed, 2 usage error. Output goes to `io` (the process by default).
 *
 * @example
 * process.exitCode = await run(["secret", "--bytes", "32"]);
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(mainHelp());
    return EXIT.usage;
  }
  if (isHelpFlag(name)) {
    io.stdout(mainHelp());
    return EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${version()}\n`);
    return EXIT.ok;
  }
  const wanted = name === "help" ? args[0] : name;
  if (wanted === undefined) {
    io.stdout(mainHelp());
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === wanted);
  if (command === undefined) {
    io.stderr(`hooksec: unknown command '${wanted}'\nRun 'hooksec --help' for the commands.\n`);
    return EXIT.usage;
  }
  // `ca` reads its own subcommand's --help; every other command's help is its whole text.
  if (name === "help" || (command !== caCommand && args.some(isHelpFlag))) {
    io.stdout(command.help);
    return EXIT.ok;
  }
  const label =
    command === caCommand && args[0] !== undefined && !args[0].startsWith("-") ? `ca ${args[0]}` : command.name;
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`hooksec ${label}: ${error.message}\nRun 'hooksec ${label} --help' for usage.\n`);
      return EXIT.usage;
    }
    if (isWebhookError(error) && error.code === "invalid_options") {
      // A secret or key the scheme cannot use: the command line is wrong.
      io.stderr(`hooksec ${label}: ${error.detail ?? error.message}\nRun 'hooksec ${label} --help' for usage.\n`);
      return EXIT.usage;
    }
    if (error instanceof CommandError) {
      io.stderr(`hooksec ${label}: ${error.message}\n`);
      return EXIT.failed;
    }
    io.stderr(`hooksec ${label}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}
