import { readFile } from "node:fs/promises";
import { type ClientTls, type DeliveryResult, type OutboundAuth, createSender, isWebhookError } from "@hooksec/core";
import { integerOption, parseCommandArgs } from "../lib/args.js";
import { readBody } from "../lib/body.js";
import type { Command } from "../lib/command.js";
import { parseHeaderLine } from "../lib/headers.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { describeWebhookError, printFields, printJson } from "../lib/output.js";
import { schemeHelp, SCHEME_OPTIONS, schemeFromArgs } from "../lib/scheme-args.js";
import { readSecretOption } from "../lib/secrets.js";
import { CommandError, UsageError } from "../lib/usage-error.js";

interface AuthValues {
  "auth-api-key"?: string | undefined;
  "auth-api-key-env"?: string | undefined;
  "auth-api-key-file"?: string | undefined;
  "auth-basic"?: string | undefined;
  "auth-basic-env"?: string | undefined;
  "auth-basic-file"?: string | undefined;
  "auth-bearer"?: string | undefined;
  "auth-bearer-env"?: string | undefined;
  "auth-bearer-file"?: string | undefined;
  "auth-oauth2"?: string | undefined;
  "client-id"?: string | undefined;
  "client-secret"?: string | undefined;
  "client-secret-env"?: string | undefined;
  "client-secret-file"?: string | undefined;
  scope?: string | undefined;
  audience?: string | undefined;
}

/** Each outbound authentication and the options that choose it. */
const AUTH_KINDS = {
  "auth-api-key": ["auth-api-key", "auth-api-key-env", "auth-api-key-file"],
  "auth-basic": ["auth-basic", "auth-basic-env", "auth-basic-file"],
  "auth-bearer": ["auth-bearer", "auth-bearer-env", "auth-bearer-file"],
  "auth-oauth2": ["auth-oauth2"],
} as const;

/** `--X VALUE`, `--X-env NAME` or `--X-file PATH` of one secret option. */
function sourcesOf(values: AuthValues, option: "auth-basic" | "auth-bearer" | "client-secret") {
  return { value: values[option], env: values[`${option}-env`], file: values[`${option}-file`] };
}

async function oauth2From(values: AuthValues, io: CliIo, tokenUrl: string): Promise<OutboundAuth> {
  const clientId = values["client-id"];
  if (clientId === undefined || clientId === "") throw new UsageError("--auth-oauth2 needs --client-id");
  const clientSecret = await readSecretOption(io, "client-secret", sourcesOf(values, "client-secret"));
  if (clientSecret === undefined)
    throw new UsageError("--auth-oauth2 needs one of --client-secret, --client-secret-env or --client-secret-file");
  return { type: "oauth2", tokenUrl, clientId, clientSecret, scope: values.scope, audience: values.audience };
}

/** `--auth-api-key header=value`, or `header=NAME` / `header=PATH` for the -env and -file forms. */
async function apiKeyFrom(values: AuthValues, io: CliIo): Promise<OutboundAuth> {
  if (AUTH_KINDS["auth-api-key"].filter((name) => values[name] !== undefined).length > 1) {
    throw new UsageError("give one of --auth-api-key, --auth-api-key-env and --auth-api-key-file");
  }
  const option =
    (["auth-api-key-env", "auth-api-key-file"] as const).find((name) => values[name] !== undefined) ?? "auth-api-key";
  const given = values[option] ?? "";
  const equals = given.indexOf("=");
  if (equals < 1)
    throw new UsageError(
      `--${option} takes ${option === "auth-api-key" ? "header=value" : option === "auth-api-key-env" ? "header=NAME" : "header=PATH"}`,
    );
  const header = given.slice(0, equals);
  const rest = given.slice(equals + 1);
  const sources =
    option === "auth-api-key" ? { value: rest } : option === "auth-api-key-env" ? { env: rest } : { file: rest };
  return { type: "api-key", header, key: (await readSecretOption(io, "auth-api-key", sources)) ?? "" };
}

async function authFrom(values: AuthValues, io: CliIo): Promise<OutboundAuth | undefined> {
  const given = (Object.keys(AUTH_KINDS) as (keyof typeof AUTH_KINDS)[]).filter((kind) =>
    AUTH_KINDS[kind].some((name) => values[name] !== undefined),
  );
  const tokenUrl = values["auth-oauth2"];
  const oauth2Only = [
    "client-id",
    "client-secret",
    "client-secret-env",
    "client-secret-file",
    "scope",
    "audience",
  ] as const;
  if (tokenUrl === undefined && oauth2Only.some((name) => values[name] !== undefined)) {
    throw new UsageError("--client-id, --client-secret(-env/-file), --scope and --audience go with --auth-oauth2");
  }
  if (given.length > 1)
    throw new UsageError(`give one outbound authentication, not ${given.map((name) => `--${name}`).join(" and ")}`);
  switch (given[0]) {
    case undefined:
      return undefined;
    case "auth-api-key":
      return apiKeyFrom(values, io);
    case "auth-basic": {
      const basic = (await readSecretOption(io, "auth-basic", sourcesOf(values, "auth-basic"))) ?? "";
      const colon = basic.indexOf(":");
      if (colon < 1) throw new UsageError("--auth-basic takes id:secret");
      return { type: "basic", clientId: basic.slice(0, colon), clientSecret: basic.slice(colon + 1) };
    }
    case "auth-bearer":
      return {
        type: "bearer",
        token: (await readSecretOption(io, "auth-bearer", sourcesOf(values, "auth-bearer"))) ?? "",
      };
    case "auth-oauth2":
      return oauth2From(values, io, tokenUrl ?? "");
  }
}

async function readPem(path: string | undefined, option: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    throw new CommandError(
      `cannot read --${option} ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
    );
  }
}

async function tlsFrom(values: {
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string | undefined;
}): Promise<ClientTls | undefined> {
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError("--cert and --key go together");
  if (values.cert === undefined && values.ca === undefined) return undefined;
  return {
    cert: await readPem(values.cert, "cert"),
    key: await readPem(values.key, "key"),
    ca: await readPem(values.ca, "ca"),
  };
}

function errorText(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}

export const sendCommand: Command = {
  name: "send",
  summary: "sign and deliver a webhook to a URL (SSRF-checked, retried; exit 1 unless delivered)",
  help: `Usage: hooksec send URL --scheme S (--secret S | --secret-env NAME) (--body TEXT | --body-file F)
                    [--auth-api-key-env header=NAME | --auth-basic-env NAME | --auth-bearer-env NAME
                     | --auth-oauth2 TOKEN_URL --client-id ID --client-secret-env NAME [--scope S]]
                     (each secret also as --X-file PATH, or on the command line as --X VALUE)
                    [--cert F --key F] [--ca F] [--allow-http] [--allow-cidr CIDR ...]
                    [--retries N] [--timeout SECONDS] [--id ID] [--content-type T] [--header "N: V" ...] [--json]

Delivers one webhook with @hooksec/core's createSender: each attempt signed afresh
(same id), redirects never followed, and SSRF protection on: only https, and no
loopback, private, link-local or metadata address unless --allow-cidr opens a range.
Prints the delivery result; exit 0 delivered, 1 failed, gone or refused, 2 usage error.

  hooksec send https://hooks.example.com/in --scheme standard-webhooks \\
    --secret-env WEBHOOK_SECRET --body-file event.json --auth-bearer-env TOKEN

  # a receiver on this machine during development
  hooksec send http://127.0.0.1:3000/webhooks --allow-http --allow-cidr 127.0.0.0/8 ...

Options:
${schemeHelp({ url: false })}
Secrets: every option below that takes one also comes as -env NAME (read from the
environment variable NAME) and -file PATH (read from a file, e.g. a mounted secret; one
trailing newline dropped). Prefer those: a secret typed on the command line is visible to
other users of the machine in \`ps\` and /proc, and stays in your shell history.
  --auth-api-key H=V      send the key V in header H
                          (--auth-api-key-env H=NAME, --auth-api-key-file H=PATH)
  --auth-basic ID:SECRET  HTTP Basic authentication (--auth-basic-env NAME, --auth-basic-file PATH)
  --auth-bearer TOKEN     a Bearer token (--auth-bearer-env NAME, --auth-bearer-file PATH)
  --auth-oauth2 URL       OAuth2 client credentials: a token from URL (SSRF-checked like the endpoint),
                          with --client-id and --client-secret S (--client-secret-env NAME,
                          --client-secret-file PATH), and optionally --scope and --audience
  --cert F, --key F       PEM client certificate and key for mTLS
  --ca F                  PEM CA the receiver's certificate must chain to (replaces the system roots)
  --allow-http            allow http: URLs (local development only)
  --allow-cidr CIDR       allow an address range SSRF protection refuses, e.g. 127.0.0.0/8 (repeatable)
  --retries N             retries after the first attempt, with backoff (default 2)
  --timeout S             seconds for one attempt (default 15)
  --id ID                 message id (default: msg_ and 128 random bits)
  --content-type T        content type of the body (default application/json)
  --header "N: V"         an extra header (repeatable; never replaces signature or auth headers)
`,
  async run(args: readonly string[], io: CliIo): Promise<ExitCode> {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        ...SCHEME_OPTIONS,
        "auth-api-key": { type: "string" },
        "auth-api-key-env": { type: "string" },
        "auth-api-key-file": { type: "string" },
        "auth-basic": { type: "string" },
        "auth-basic-env": { type: "string" },
        "auth-basic-file": { type: "string" },
        "auth-bearer": { type: "string" },
        "auth-bearer-env": { type: "string" },
        "auth-bearer-file": { type: "string" },
        "auth-oauth2": { type: "string" },
        "client-id": { type: "string" },
        "client-secret": { type: "string" },
        "client-secret-env": { type: "string" },
        "client-secret-file": { type: "string" },
        scope: { type: "string" },
        audience: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        ca: { type: "string" },
        "allow-http": { type: "boolean" },
        "allow-cidr": { type: "string", multiple: true },
        retries: { type: "string" },
        timeout: { type: "string" },
        id: { type: "string" },
        "content-type": { type: "string" },
        header: { type: "string", multiple: true },
      },
      1,
    );
    const url = positionals[0];
    if (url === undefined) throw new UsageError("the endpoint URL is required: hooksec send URL ...");
    if (values.url !== undefined) throw new UsageError("give the endpoint as the first argument, not --url");
    const { name, scheme } = schemeFromArgs({ ...values, url }, io);
    const auth = await authFrom(values, io);
    const tls = await tlsFrom(values);
    const retries = integerOption(values.retries, "retries", 2, 0, 20);
    const timeoutSeconds = integerOption(values.timeout, "timeout", 15, 1, 600);
    const headers = Object.fromEntries((values.header ?? []).map(parseHeaderLine));
    const body = await readBody(values, io);

    const sender = createSender({
      scheme,
      ssrf: { allowHttp: values["allow-http"] === true, allowCidrs: values["allow-cidr"] ?? [] },
      retry: { attempts: retries + 1, baseDelayMs: 1_000, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 },
      timeouts: { totalMs: timeoutSeconds * 1000 },
      contentType: values["content-type"] ?? "application/json",
      onAttempt: (attempt) => {
        const status = attempt.status === undefined ? "" : ` ${attempt.status}`;
        const error = attempt.error === undefined ? "" : ` (${errorText(attempt.error)})`;
        const next = attempt.retryInMs === undefined ? "" : `, retrying in ${(attempt.retryInMs / 1000).toFixed(1)} s`;
        io.stderr(
          `attempt ${attempt.attempt}: ${attempt.outcome}${status}${error} in ${Math.round(attempt.durationMs)} ms${next}\n`,
        );
      },
    });
    let result: DeliveryResult;
    try {
      result = await sender.send(
        { url, auth, tls, headers },
        body,
        values.id === undefined ? undefined : { id: values.id },
      );
    } catch (error) {
      if (!isWebhookError(error) || error.code === "invalid_options") throw error;
      const refusal = describeWebhookError(error);
      if (values.json) printJson(io, { status: "refused", scheme: name, code: refusal.code, detail: refusal.detail });
      else {
        io.stdout(`refused: ${refusal.code}\n`);
        printFields(io, { detail: refusal.detail });
      }
      return EXIT.failed;
    } finally {
      await sender.close();
    }
    const output = {
      status: result.status,
      scheme: name,
      id: result.id,
      attempts: result.attempts,
      lastStatus: result.lastStatus,
      error: errorText(result.error),
    };
    if (values.json) printJson(io, output);
    else printFields(io, output);
    return result.status === "delivered" ? EXIT.ok : EXIT.failed;
  },
};
