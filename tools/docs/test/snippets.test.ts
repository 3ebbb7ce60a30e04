// Every TypeScript block of the READMEs and guides compiles under `strict`, as a user
// who copies it into their project would compile it (the packages' built types).
import { afterAll, expect, it } from "vitest";
import { compile, removeSnippets, writeSnippets } from "./support/snippets.js";

afterAll(removeSnippets);

it("every TypeScript block in the READMEs and docs compiles under strict", () => {
  const snippets = writeSnippets();
  expect(snippets.length).toBeGreaterThan(20);
  expect(compile(snippets)).toEqual([]);
}, 120_000);
