#!/usr/bin/env node
// Size budget: bundles what an app imports for each scenario in size-budget.json with
// esbuild the way an edge or browser build does (platform browser, ESM, minified,
// tree-shaken) and fails when the gzip size of what loads at startup is over budget.
// Code the core imports on demand (`import()`: the identity step with X.509, IP and
// rate-limit code, a certificate's key) is left out of the startup bundle, as a
// splitting bundler (webpack, Rollup, Vite, Next.js) leaves it in its own chunk, and
// reported beside it as "on demand". esbuild's own splitting is not used: it puts a
// module shared with a lazy chunk into the startup chunk even when the entry does not
// use it. Bundles the built dist (run after `pnpm build`); `--source` bundles src.
//
//   node scripts/size-budget.mjs            check every scenario
//   node scripts/size-budget.mjs --source   the same from src, without a build
//   node scripts/size-budget.mjs --why sw-verifier   the biggest inputs of one scenario
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const coreFolder = join(root, "packages/core");
// esbuild is a devDependency of the core (its tests bundle it for the edge too).
const esbuild = createRequire(join(coreFolder, "package.json"))("esbuild");
const { scenarios } = JSON.parse(readFileSync(join(root, "size-budget.json"), "utf8"));
const args = process.argv.slice(2);
const source = args.includes("--source");
const why = args.includes("--why") ? args[args.indexOf("--why") + 1] : undefined;

// Resolve @hooksec/* from the workspace, whatever folder the entry files are in, and
// keep what is imported on demand out of the bundle (measured apart).
const workspacePackages = {
  name: "workspace-packages",
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (target) => {
      if (target.pluginData === "resolved") return undefined;
      const isWorkspace = target.path.startsWith("@hooksec/");
      if (!isWorkspace && target.kind !== "dynamic-import") return undefined;
      const resolved = await build.resolve(target.path, {
        kind: target.kind,
        resolveDir: isWorkspace ? coreFolder : target.resolveDir,
        importer: target.importer,
        pluginData: "resolved",
      });
      if (target.kind === "dynamic-import" && resolved.errors.length === 0)
        return { path: resolved.path, external: true };
      return resolved;
    });
  },
};

/** One bundle: its sizes, its inputs, and the on-demand imports left in it (after tree shaking). */
async function bundle(entryPoint) {
  const result = await esbuild.build({
    entryPoints: [entryPoint],
    bundle: true,
    format: "esm",
    platform: "browser",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    conditions: source ? ["hooksec-source"] : [],
    plugins: [workspacePackages],
  });
  const contents = result.outputFiles[0].contents;
  const [output] = Object.values(result.metafile.outputs);
  const onDemand = output.imports
    .filter((imported) => imported.kind === "dynamic-import" && imported.external)
    .map((imported) => imported.path);
  return { min: contents.length, gzip: gzipSync(contents, { level: 9 }).length, inputs: output.inputs, onDemand };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const work = mkdtempSync(join(tmpdir(), "hooksec-size-"));
let over = 0;
try {
  for (const scenario of scenarios) {
    if (why !== undefined && scenario.name !== why) continue;
    const entry = join(work, `${scenario.name}.mjs`);
    writeFileSync(entry, `${scenario.code}\n`);
    const initial = await bundle(entry);
    // What loads later: each on-demand module bundled with what it needs (and its own on-demand ones).
    const lazy = { min: 0, gzip: 0 };
    const onDemand = new Set(initial.onDemand);
    for (const module of onDemand) {
      const size = await bundle(module);
      lazy.min += size.min;
      lazy.gzip += size.gzip;
      for (const next of size.onDemand) onDemand.add(next);
    }
    const budget = scenario.budgetGzipBytes;
    const fits = initial.gzip <= budget;
    if (!fits) over++;
    console.log(
      `${fits ? "ok  " : "OVER"} ${scenario.name.padEnd(18)} ${kb(initial.gzip).padStart(8)} gzip (${initial.gzip} B, budget ${budget} B), ${kb(initial.min)} min` +
        (lazy.min > 0 ? `; on demand ${kb(lazy.gzip)} gzip (each lazy module bundled alone)` : ""),
    );
    if (why !== undefined) {
      for (const [input, bytes] of Object.entries(initial.inputs)
        .map(([input, { bytesInOutput }]) => [input, bytesInOutput])
        .sort((a, b) => b[1] - a[1])
        .slice(0, 40)) {
        console.log(
          `  ${String(bytes).padStart(7)}  ${input.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "").replace(/^.*packages\//, "")}`,
        );
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (over > 0) {
  console.error(
    `size-budget: ${over} scenario(s) over budget. \`node scripts/size-budget.mjs --why <name>\` lists what they bundle; raise a budget in size-budget.json only for a reviewed reason.`,
  );
  process.exit(1);
}
console.log(
  `size-budget: ${basename("size-budget.json")}: every scenario within budget (esbuild, browser, minified, gzip -9)`,
);
