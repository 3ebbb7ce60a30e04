// The TypeScript blocks of the docs, written out as modules a compiler can check as a
// user's file: each block on its own, importing the packages by their published names.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { fencedBlocks } from "./runbook.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const OUT = fileURLToPath(new URL("../../.snippets/", import.meta.url));

/** README.md of the root, every package and example, and the guides in docs/. */
function documentedFiles(): string[] {
  const files = [join(ROOT, "README.md")];
  for (const group of ["packages", "examples"]) {
    for (const name of readdirSync(join(ROOT, group)).sort()) files.push(join(ROOT, group, name, "README.md"));
  }
  for (const name of readdirSync(join(ROOT, "docs")).sort())
    if (name.endsWith(".md")) files.push(join(ROOT, "docs", name));
  return files.filter((file) => {
    try {
      readFileSync(file);
      return true;
    } catch {
      return false;
    }
  });
}

/** Removes the written modules (they only exist for the compiler). */
export function removeSnippets(): void {
  rmSync(OUT, { recursive: true, force: true });
}

export interface Snippet {
  /** `packages/koa/README.md:42` */
  readonly where: string;
  readonly file: string;
}

/** Writes every ```ts block to its own module, with the context its `<!-- snippet: ... -->` comment declares. */
export function writeSnippets(): Snippet[] {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const snippets: Snippet[] = [];
  for (const doc of documentedFiles()) {
    for (const block of fencedBlocks(readFileSync(doc, "utf8"))) {
      if (block.lang !== "ts" && block.lang !== "typescript") continue;
      const where = `${relative(ROOT, doc)}:${block.line}`;
      const file = join(OUT, `${where.replace(/[/:.]/g, "_")}.ts`);
      // `export {}` makes every block a module (top-level await, no shared globals); the
      // hidden context (ambient declarations, hoisted) goes last so error lines stay the page's.
      writeFileSync(file, `${block.code}\nexport {};\n${block.context}\n`);
      snippets.push({ where, file });
    }
  }
  return snippets;
}

/** Compiles the snippets under `strict` as the docs package sees the workspace; one message per error. */
export function compile(snippets: readonly Snippet[]): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [join(ROOT, "tools/docs/node_modules/@types")],
    // The examples are not published: their READMEs import them by name, as a user's copy would.
    paths: {
      "@hooksec/example-*": [join(ROOT, "examples/*/src/index.ts")],
      // The Koa README's body-parser snippet: the Koa example has it installed.
      "@koa/bodyparser": [join(ROOT, "examples/koa/node_modules/@koa/bodyparser/dist/index.d.ts")],
    },
  };
  const program = ts.createProgram(
    snippets.map((snippet) => snippet.file),
    options,
  );
  const whereOf = new Map(snippets.map((snippet) => [snippet.file, snippet.where]));
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (diagnostic.file === undefined || diagnostic.start === undefined) return text;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const where = whereOf.get(diagnostic.file.fileName);
    if (where === undefined) return `${relative(ROOT, diagnostic.file.fileName)}: ${text}`;
    const [doc, start] = where.split(/:(?=\d+$)/);
    return `${doc}:${Number(start) + 1 + line}: ${text}`;
  });
}
