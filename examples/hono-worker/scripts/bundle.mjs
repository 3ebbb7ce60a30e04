// `pnpm build`: bundles the Worker (src/worker.ts) into one ES module, dist/worker.js,
// the way wrangler does: esbuild, the browser platform, and the `workerd`, `worker`
// and `browser` export conditions, so every package takes its Workers build (the
// hooksec core takes its Web Crypto one). No Node built-ins: no nodejs_compat needed.
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bundles src/worker.ts into `outfile`.
 *
 * @param {string} [outfile] default dist/worker.js
 * @returns {Promise<string>} the bundle's path
 */
export async function bundleWorker(outfile = join(exampleDir, "dist", "worker.js")) {
  await build({
    entryPoints: [join(exampleDir, "src", "worker.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    logLevel: "warning",
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = await bundleWorker();
  console.log(`bundled ${relative(process.cwd(), outfile)}`);
}
