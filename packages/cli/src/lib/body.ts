import { readFile } from "node:fs/promises";
import type { CliIo } from "./io.js";
import { CommandError, UsageError } from "./usage-error.js";

/** The body as exact bytes: `--body` (its UTF-8) or `--body-file` (`-` reads stdin). Exactly one. */
export async function readBody(
  values: { body?: string | undefined; "body-file"?: string | undefined },
  io: CliIo,
): Promise<Uint8Array> {
  const text = values.body;
  const file = values["body-file"];
  if (text !== undefined && file !== undefined) throw new UsageError("give --body or --body-file, not both");
  if (text !== undefined) return new TextEncoder().encode(text);
  if (file === undefined) throw new UsageError("--body or --body-file is required");
  if (file === "-") return io.readStdin();
  try {
    return new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new CommandError(
      `cannot read --body-file ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
    );
  }
}
