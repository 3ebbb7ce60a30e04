import { readFile } from "node:fs/promises";
import { CommandError, UsageError } from "./usage-error.js";

/** `name: value` (the form `hooksec sign` prints and curl's `-H` takes). */
export function parseHeaderLine(line: string): [string, string] {
  const colon = line.indexOf(":");
  const name = colon > 0 ? line.slice(0, colon).trim() : "";
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`not a header 'name: value': '${line}'`);
  return [name.toLowerCase(), line.slice(colon + 1).trim()];
}

/** Headers from `--header` values and a `--headers-file` (one `name: value` per line, blank lines skipped). */
export async function readHeaders(lines: readonly string[], file: string | undefined): Promise<Headers> {
  const all = [...lines];
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (cause) {
      throw new CommandError(
        `cannot read --headers-file ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      );
    }
    // An HTTP status line (curl -D) is not a header.
    all.push(...text.split(/\r?\n/).filter((line) => line.trim() !== "" && !/^HTTP\/\S+ \d{3}/.test(line)));
  }
  const headers = new Headers();
  for (const line of all) {
    const [name, value] = parseHeaderLine(line);
    headers.append(name, value);
  }
  return headers;
}
