// The runbook as data: its `hooksec` command lines and its TypeScript blocks, read from
// the Markdown itself, so the test runs what the page says and not a copy of it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const RUNBOOK = fileURLToPath(new URL("../../../../docs/incident-response.md", import.meta.url));

export interface FencedBlock {
  readonly lang: string;
  readonly code: string;
  /** Line of the opening fence, 1-based. */
  readonly line: number;
  /** `<!-- snippet: ... -->` right above the fence: what the block assumes (hidden on the page). */
  readonly context: string;
}

/** The fenced blocks of a Markdown file with their language tag. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const pattern = /(?:^<!-- snippet: ([\s\S]*?) -->\n)?^```([a-z]*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    const fence = match.index + match[0].indexOf("```");
    const line = markdown.slice(0, fence).split("\n").length;
    blocks.push({ lang: match[2] ?? "", code: match[3] ?? "", line, context: match[1] ?? "" });
  }
  return blocks;
}

/** Every `hooksec ...` line of the runbook's shell blocks, split into words (double quotes group). */
export function runbookCommands(): string[][] {
  const markdown = readFileSync(RUNBOOK, "utf8");
  return fencedBlocks(markdown)
    .filter((block) => block.lang === "sh")
    .flatMap((block) => block.code.split("\n"))
    .filter((line) => line.startsWith("hooksec "))
    .map((line) => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((word) => word[1] ?? word[2] ?? "").slice(1));
}

/** The runbook command whose first words are `prefix` (fails the test when the page lost it). */
export function command(prefix: string): string[] {
  const words = prefix.split(" ");
  const found = runbookCommands().find((args) => words.every((word, index) => args[index] === word));
  if (found === undefined) throw new Error(`docs/incident-response.md has no 'hooksec ${prefix} ...' line any more`);
  return found;
}
