// `pnpm bench`: runs every benchmark file of the workspace, one process each,
// in a stable order. Each prints its own ratios against a baseline measured in
// the same run; nothing here is a timed assertion.
import { spawnSync } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv[2];
const files = [];
for (const group of ["packages", "examples"]) {
  for (const name of readdirSync(join(root, group)).sort()) {
    const dir = join(root, group, name, "bench");
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (/\.bench\.(mjs|ts)$/.test(file) && (!only || file.includes(only) || name.includes(only)))
        files.push(join(dir, file));
    }
  }
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file.slice(root.length)} ===`);
  const args = file.endsWith(".ts") ? ["--import", "tsx", "--expose-gc", file] : ["--expose-gc", file];
  const result = spawnSync(process.execPath, args, { stdio: "inherit", cwd: root });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
