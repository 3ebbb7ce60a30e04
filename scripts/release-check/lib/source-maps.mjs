// Every declaration and source map in an installed package points at a file the
// package ships (we ship src/ for them), so go-to-definition and stack traces land.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Throws naming the first maps whose sources are missing under `node_modules/<name>`. */
export function checkSourceMaps(folder, names) {
  const missing = [];
  let maps = 0;
  for (const name of names) {
    const base = join(folder, "node_modules", name);
    for (const file of walk(join(base, "dist"))) {
      if (!file.endsWith(".map")) continue;
      maps++;
      const map = JSON.parse(readFileSync(file, "utf8"));
      for (const source of map.sources) {
        const target = resolve(dirname(file), map.sourceRoot ?? "", source);
        if (!existsSync(target)) missing.push(`${name}: ${file.slice(base.length + 1)} -> ${source}`);
      }
    }
  }
  if (maps === 0) throw new Error("no source maps found in the installed packages");
  if (missing.length > 0)
    throw new Error(`${missing.length} map sources are not in the packages:\n${missing.slice(0, 10).join("\n")}`);
}

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}
