import type { WebhookError } from "@hooksec/core";
import type { CliIo } from "./io.js";

/** Prints a value as one JSON document. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints `label: value` lines, aligned, skipping undefined values. */
export function printFields(io: CliIo, fields: Readonly<Record<string, string | number | boolean | undefined>>): void {
  const entries = Object.entries(fields).filter(
    (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
  );
  const width = Math.max(0, ...entries.map(([label]) => label.length));
  for (const [label, value] of entries) io.stdout(`${`${label}:`.padEnd(width + 2)}${value}\n`);
}

/** What a `WebhookError` says, for the shell: code, status and the detail meant for logs. */
export function describeWebhookError(error: WebhookError): {
  code: string;
  status: number;
  detail: string | undefined;
} {
  return { code: error.code, status: error.status, detail: error.detail };
}
