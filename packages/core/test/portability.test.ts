// The default entry must run where only Web APIs exist (Workers, Deno, the edge
// runtime). The portable build already compiles with `types: []`; this guards
// the rest: no `node:` import, no Buffer, no process, outside the files that
// the "node" export condition selects.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = new URL("../src", import.meta.url).pathname;
const NODE_ONLY = /(^|\/)node(\/|\.ts$)|\.node\.ts$|\.test\.ts$|(^|\/)test-support\//;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the portable entry of @hooksec/core", () => {
  const portable = sourceFiles(src).filter((file) => !NODE_ONLY.test(relative(src, file)));

  it("has portable sources to check", () => {
    expect(portable.length).toBeGreaterThan(10);
  });

  it.each(portable.map((file) => [relative(src, file), file]))("%s uses Web APIs only", (_name, file) => {
    const code = readFileSync(file, "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
    expect(code).not.toMatch(/from\s+["']node:|import\(["']node:|require\(/);
    expect(code).not.toMatch(/\bBuffer\b/);
    expect(code).not.toMatch(/\bprocess\./);
  });
});
