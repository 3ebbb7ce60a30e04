import { randomBytes } from "node:crypto";
import { integerOption, parseCommandArgs } from "../lib/args.js";
import { readBody } from "../lib/body.js";
import type { Command } from "../lib/command.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { printJson } from "../lib/output.js";
import { schemeHelp, SCHEME_OPTIONS, schemeFromArgs } from "../lib/scheme-args.js";

export const signCommand: Command = {
  name: "sign",
  summary: "print the signature headers for a body",
  help: `Usage: hooksec sign --scheme S (--secret S | --secret-env NAME) (--body TEXT | --body-file F)
                    [--id ID] [--timestamp UNIX] [--url URL] [--json]

Signs the body exactly as given and prints the headers a sender adds, one
"name: value" per line (what curl -H and hooksec verify --header take):

  hooksec sign --scheme standard-webhooks --secret-env WEBHOOK_SECRET --body '{"type":"ping"}'

Options:
${schemeHelp({ url: true })}
  --id ID            message id (default: msg_ and 128 random bits)
  --timestamp UNIX   signing time in seconds since the epoch (default: now)
`,
  async run(args: readonly string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, { ...SCHEME_OPTIONS, id: { type: "string" }, timestamp: { type: "string" } });
    const { name, scheme } = schemeFromArgs(values, io);
    const body = await readBody(values, io);
    const id = values.id ?? `msg_${randomBytes(16).toString("hex")}`;
    const seconds = integerOption(values.timestamp, "timestamp", Math.floor(Date.now() / 1000), 0, 253_402_300_799);
    const timestamp = new Date(seconds * 1000);
    const headers = await scheme.sign({ id, timestamp, body, url: values.url });
    if (values.json) printJson(io, { scheme: name, id, timestamp: seconds, headers });
    else for (const [header, value] of Object.entries(headers)) io.stdout(`${header}: ${value}\n`);
    return EXIT.ok;
  },
};
