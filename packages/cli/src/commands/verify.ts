import { createVerifier, isWebhookError } from "@hooksec/core";
import { integerOption, parseCommandArgs } from "../lib/args.js";
import { readBody } from "../lib/body.js";
import type { Command } from "../lib/command.js";
import { readHeaders } from "../lib/headers.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { describeWebhookError, printFields, printJson } from "../lib/output.js";
import { schemeHelp, SCHEME_OPTIONS, schemeFromArgs } from "../lib/scheme-args.js";
import { UsageError } from "../lib/usage-error.js";

export const verifyCommand: Command = {
  name: "verify",
  summary: "verify a received webhook's headers and body (exit 1 when refused)",
  help: `Usage: hooksec verify --scheme S (--secret S | --secret-env NAME) (--body TEXT | --body-file F)
                      (--header "name: value" ... | --headers-file F)
                      [--now UNIX] [--tolerance 300] [--future-tolerance 60] [--url URL] [--json]

Verifies a webhook as a receiver would (signature over the exact bytes, constant
time, every key given; then the timestamp window) and prints what was accepted,
or the refusal's code and detail. Exit 0 accepted, 1 refused, 2 usage error
(no headers given is a usage error; schemes that sign inside the body need none).

  hooksec sign --scheme github --secret s3cret --body-file event.json > headers.txt
  hooksec verify --scheme github --secret s3cret --body-file event.json --headers-file headers.txt

Options:
${schemeHelp({ url: true })}
  --header "N: V"        a received header (repeatable)
  --headers-file F       received headers, one "name: value" per line (curl -D output works)
  --now UNIX             the time to check the timestamp against (default: now)
  --tolerance S          how old a message may be, in seconds (default 300)
  --future-tolerance S   how far ahead the sender's clock may be, in seconds (default 60)
`,
  async run(args: readonly string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, {
      ...SCHEME_OPTIONS,
      header: { type: "string", multiple: true },
      "headers-file": { type: "string" },
      now: { type: "string" },
      tolerance: { type: "string" },
      "future-tolerance": { type: "string" },
    });
    const { name, scheme } = schemeFromArgs(values, io);
    const now = integerOption(values.now, "now", Math.floor(Date.now() / 1000), 0, 253_402_300_799);
    const pastSeconds = integerOption(values.tolerance, "tolerance", 300, 0, 31_536_000);
    const futureSeconds = integerOption(values["future-tolerance"], "future-tolerance", 60, 0, 31_536_000);
    const headers = await readHeaders(values.header ?? [], values["headers-file"]);
    const body = await readBody(values, io);
    // One message checked once: there is nothing to remember for replay protection.
    const verifier = createVerifier({
      scheme,
      tolerance: { pastSeconds, futureSeconds },
      replay: false,
      now: () => now * 1000,
    });
    try {
      const webhook = await verifier.verifyParts({
        method: "POST",
        url: values.url ?? "https://localhost/",
        headers,
        body,
      });
      const timestamp = webhook.timestamp === undefined ? undefined : Math.floor(webhook.timestamp.getTime() / 1000);
      if (values.json) {
        printJson(io, {
          accepted: true,
          scheme: name,
          id: webhook.id,
          keyId: webhook.keyId,
          timestamp,
          timestamped: scheme.timestamped,
        });
      } else {
        io.stdout("accepted\n");
        printFields(io, {
          scheme: name,
          id: webhook.id,
          keyId: webhook.keyId,
          timestamp:
            timestamp === undefined
              ? "none (this scheme signs no time: rely on replay protection)"
              : `${timestamp} (${new Date(timestamp * 1000).toISOString()})`,
        });
      }
      return EXIT.ok;
    } catch (error) {
      if (!isWebhookError(error) || error.code === "invalid_options") throw error;
      // No headers at all is a command line missing its input, not a webhook refused.
      if (error.code === "missing_header" && isEmpty(headers)) {
        throw new UsageError(
          `no headers given: pass the received headers with --header "name: value" or --headers-file F (hooksec sign prints them)`,
        );
      }
      const refusal = describeWebhookError(error);
      if (values.json) printJson(io, { accepted: false, scheme: name, ...refusal });
      else {
        io.stdout(`refused: ${refusal.code}\n`);
        printFields(io, { status: refusal.status, detail: refusal.detail });
      }
      return EXIT.failed;
    }
  },
};

function isEmpty(headers: Headers): boolean {
  let count = 0;
  headers.forEach(() => {
    count++;
  });
  return count === 0;
}
