import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { type WebhookScheme, createVerifier } from "@hooksec/core";
import { integerOption, parseCommandArgs } from "../lib/args.js";
import { readBody } from "../lib/body.js";
import type { Command } from "../lib/command.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { printJson } from "../lib/output.js";
import { schemeHelp, SCHEME_OPTIONS, schemeFromArgs } from "../lib/scheme-args.js";
import { providerInfo } from "../lib/schemes.js";
import { CommandError, UsageError } from "../lib/usage-error.js";

export const signCommand: Command = {
  name: "sign",
  summary: "print the signature headers for a body",
  help: `Usage: hooksec sign --scheme S (--secret S | --secret-env NAME) (--body TEXT | --body-file F)
                    [--id ID] [--timestamp UNIX] [--url URL] [--body-out F] [--json]

Signs the body exactly as given and prints the headers a sender adds, one
"name: value" per line (what curl -H and hooksec verify --header take):

  hooksec sign --scheme standard-webhooks --secret-env WEBHOOK_SECRET --body '{"type":"ping"}'

Options:
${schemeHelp({ url: true })}
  --id ID            message id, for the schemes that send one (default: msg_ and 128 random
                     bits); the id printed is the one receivers name the message by (Stripe:
                     the event id in the body)
  --timestamp UNIX   signing time in seconds since the epoch (default: now)
  --body-out F       write the body to send to file F: needed for the schemes that sign
                     inside the body (Mailgun), unless --json (which prints it)
`,
  async run(args: readonly string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, {
      ...SCHEME_OPTIONS,
      id: { type: "string" },
      timestamp: { type: "string" },
      "body-out": { type: "string" },
    });
    const { name, scheme } = schemeFromArgs(values, io);
    const body = await readBody(values, io);
    const id = values.id ?? `msg_${randomBytes(16).toString("hex")}`;
    const seconds = integerOption(values.timestamp, "timestamp", Math.floor(Date.now() / 1000), 0, 253_402_300_799);
    const timestamp = new Date(seconds * 1000);
    // encode, not sign: a few providers (Mailgun) sign inside the body, so the body to send changes.
    const delivery = await scheme.encode({ id, timestamp, body, url: values.url });
    const sent = typeof delivery.body === "string" ? new TextEncoder().encode(delivery.body) : delivery.body;
    const bodyChanged = !equalBytes(sent, body);
    if (bodyChanged && values["body-out"] === undefined && !values.json) {
      throw new UsageError(`${name} signs inside the body: pass --body-out F to write the body to send, or --json`);
    }
    if (values["body-out"] !== undefined) await writeBodyOut(values["body-out"], sent);
    const named = (await receiverId(scheme, delivery.headers, sent, seconds, values.url)) ?? id;
    if (values.id !== undefined && named !== values.id) {
      io.stderr(
        `hooksec sign: ${name} does not send --id; receivers name this message ${named} (${providerInfo(name).messageId})\n`,
      );
    }
    if (values.json) {
      printJson(io, {
        scheme: name,
        id: named,
        timestamp: seconds,
        headers: delivery.headers,
        ...(bodyChanged ? { body: bodyText(sent) } : {}),
      });
    } else for (const [header, value] of Object.entries(delivery.headers)) io.stdout(`${header}: ${value}\n`);
    return EXIT.ok;
  },
};

const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((byte, index) => byte === b[index]);

/** The body for JSON output: its text when it is UTF-8, else base64. */
function bodyText(bytes: Uint8Array): string | { base64: string } {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { base64: Buffer.from(bytes).toString("base64") };
  }
}

async function writeBodyOut(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (cause) {
    throw new CommandError(
      `cannot write --body-out ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
    );
  }
}

/**
 * The id a receiver will name (and deduplicate) this message by, found by verifying what was
 * just signed: Stripe names an event by the `id` in its body, Slack by the signature, GitLab by
 * the body's digest... so the printed id is the one to look for in the receiver's logs.
 */
async function receiverId(
  scheme: WebhookScheme,
  headers: Record<string, string>,
  body: Uint8Array,
  seconds: number,
  url: string | undefined,
): Promise<string | undefined> {
  const verifier = createVerifier({ scheme, replay: false, now: () => seconds * 1000 });
  try {
    return (await verifier.verifyParts({ method: "POST", url: url ?? "https://localhost/", headers, body })).id;
  } catch {
    return undefined; // a key that signs but cannot verify: the id given is all there is to print
  }
}
