import { readFile } from "node:fs/promises";
import { parseCommandArgs } from "../lib/args.js";
import type { Command } from "../lib/command.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { printJson } from "../lib/output.js";
import { CommandError, UsageError } from "../lib/usage-error.js";

/** Who sent refused deliveries: one row per client address, tenant and code. */
export interface RejectionRow {
  readonly clientIp: string | undefined;
  readonly tenant: string | undefined;
  readonly code: string | undefined;
  readonly count: number;
  /** Milliseconds since the epoch of the first and last refusal in the window. */
  readonly first: number;
  readonly last: number;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h`, `2d` in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (match === null) throw new UsageError(`--since must be a number and a unit (s, m, h, d), like 1h, got '${text}'`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Groups the `rejected` lines of a structured webhook log (one JSON object per line, as
 * pino writes them with the fields of `@hooksec/otel`'s observability example: `event`,
 * `time`, `clientIp`, `tenant`, `code`) from `since` on, by client address, tenant and code,
 * most refusals first. Lines that are not JSON, or not refusals, are skipped.
 *
 * @example
 * summarizeRejections(lines, { since: Date.now() - 3_600_000 });
 */
export function summarizeRejections(lines: Iterable<string>, options: { since: number }): RejectionRow[] {
  const rows = new Map<
    string,
    { clientIp?: string; tenant?: string; code?: string; count: number; first: number; last: number }
  >();
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (record.event !== "rejected" || typeof record.time !== "number" || record.time < options.since) continue;
    const clientIp = text(record.clientIp);
    const tenant = text(record.tenant);
    const code = text(record.code);
    const key = JSON.stringify([clientIp, tenant, code]);
    const row = rows.get(key);
    if (row === undefined) rows.set(key, { clientIp, tenant, code, count: 1, first: record.time, last: record.time });
    else {
      row.count++;
      row.first = Math.min(row.first, record.time);
      row.last = Math.max(row.last, record.time);
    }
  }
  return [...rows.values()]
    .map((row) => ({
      clientIp: row.clientIp,
      tenant: row.tenant,
      code: row.code,
      count: row.count,
      first: row.first,
      last: row.last,
    }))
    .sort((a, b) => b.count - a.count || b.last - a.last);
}

async function readLines(io: CliIo, files: readonly string[]): Promise<string[]> {
  if (files.length === 0 || (files.length === 1 && files[0] === "-"))
    return new TextDecoder().decode(await io.readStdin()).split("\n");
  const lines: string[] = [];
  for (const file of files) {
    try {
      lines.push(...(await readFile(file, "utf8")).split("\n"));
    } catch (cause) {
      throw new CommandError(`cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
    }
  }
  return lines;
}

export const logCommand: Command = {
  name: "log",
  summary: "who sent the refused webhooks: rejections in a structured log, grouped",
  help: `Usage: hooksec log rejections [--since 1h] [--json] [FILE...]

Reads a webhook receiver's structured log (JSON lines, as the pino logger of the
observability example writes them: event, time, clientIp, tenant, code) from the
files or standard input, keeps the 'rejected' lines of the last --since, and prints
how many refusals came from each client address, tenant and code, most first.

  kubectl logs deploy/receiver --since=1h | hooksec log rejections --since 1h

Options:
  --since D   how far back: 90s, 15m, 1h (default), 2d
  --json      print [{"clientIp", "tenant", "code", "count", "first", "last"}] (times in ms)
`,
  async run(args: readonly string[], io: CliIo): Promise<ExitCode> {
    const { values, positionals } = parseCommandArgs(
      args,
      { since: { type: "string" }, json: { type: "boolean" } },
      Number.POSITIVE_INFINITY,
    );
    const [what, ...files] = positionals;
    if (what !== "rejections")
      throw new UsageError(
        what === undefined
          ? "say what to summarise: hooksec log rejections"
          : `unknown summary '${what}': only 'rejections'`,
      );
    const since = Date.now() - parseDuration(values.since ?? "1h");
    const rows = summarizeRejections(await readLines(io, files), { since });
    if (values.json) {
      printJson(io, rows);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      io.stdout(`no rejections since ${new Date(since).toISOString()}\n`);
      return EXIT.ok;
    }
    const table = [
      ["COUNT", "CLIENT IP", "TENANT", "CODE", "LAST"],
      ...rows.map((row) => [
        String(row.count),
        row.clientIp ?? "-",
        row.tenant ?? "-",
        row.code ?? "-",
        new Date(row.last).toISOString(),
      ]),
    ];
    const widths = table[0]?.map((_, column) => Math.max(...table.map((cells) => (cells[column] ?? "").length))) ?? [];
    for (const cells of table)
      io.stdout(
        `${cells
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
      );
    return EXIT.ok;
  },
};
