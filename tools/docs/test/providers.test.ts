// docs/providers.md lists exactly the registry's presets, each with the registry's own
// title, algorithm and timestamp rule: adding a provider without its row fails here.
import { readFileSync } from "node:fs";
import { providers } from "@hooksec/core";
import { expect, it } from "vitest";

const page = readFileSync(new URL("../../../docs/providers.md", import.meta.url), "utf8");
const rows = page
  .split("\n")
  .filter((line) => line.startsWith("| `"))
  .map((line) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );

it("docs/providers.md has one row per registry entry, in the registry's words", () => {
  const expected = Object.entries(providers).map(([name, provider]) => [
    `\`${name}\``,
    `[${provider.title}](${provider.docs})`,
    provider.algorithm,
    provider.timestamped ? "yes" : "no: the dedup store alone",
  ]);
  expect(rows.map((row) => row.slice(0, 4))).toEqual(expected);
  for (const row of rows) expect(row[5], `${row[0]}: say what it is tested against`).toMatch(/\S/);
});
