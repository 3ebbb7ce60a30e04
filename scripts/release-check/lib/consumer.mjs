// A consumer: a fresh folder outside the workspace with its own package.json and
// .npmrc, installed with plain npm, @hooksec/* from the loopback registry only.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { scopeLine } from "./registry.mjs";
import { run } from "./processes.mjs";

/** Writes `files` and the manifest into `<ctx.dir>/consumers/<name>` and runs `npm install`. */
export async function createConsumer(ctx, name, { dependencies, files = {}, npmArgs = [] }) {
  const folder = join(ctx.dir, "consumers", name);
  mkdirSync(folder, { recursive: true });
  const manifest = { name: `release-check-${name}`, version: "0.0.0", private: true, type: "module", dependencies };
  writeFileSync(join(folder, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(folder, ".npmrc"), scopeLine(ctx.registry));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, file)), { recursive: true });
    writeFileSync(join(folder, file), text);
  }
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...npmArgs], {
    cwd: folder,
    timeoutMs: 600_000,
  });
  return folder;
}

/**
 * The version the workspace itself uses for a third-party package (a packages/* or
 * examples/* manifest, `catalog:` resolved), so consumers install what the tests ran
 * against and npm's cache is hit from the second run on.
 */
function workspaceVersion(root, name) {
  for (const group of ["packages", "examples", "tools"]) {
    for (const dir of readdirSync(join(root, group))) {
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(root, group, dir, "package.json"), "utf8"));
      } catch {
        continue;
      }
      const spec = manifest.devDependencies?.[name] ?? manifest.dependencies?.[name];
      if (spec === undefined || spec.startsWith("workspace:") || spec.startsWith("npm:")) continue;
      return spec === "catalog:" ? catalogVersion(root, name) : spec;
    }
  }
  throw new Error(`no workspace package uses ${name}: add the consumer's version there or here`);
}

function catalogVersion(root, name) {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const quoted = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`^\\s+"?${quoted}"?:\\s*"?([^"\\s]+)"?\\s*$`, "m").exec(
    yaml.slice(yaml.indexOf("catalog:")),
  );
  if (!match) throw new Error(`${name} is "catalog:" but not in pnpm-workspace.yaml's catalog`);
  return match[1];
}

/** `{ name: version }` for third-party packages, at the workspace's versions. */
export function thirdParty(root, names) {
  return Object.fromEntries(names.map((name) => [name, workspaceVersion(root, name)]));
}
