// `pnpm start` (after `pnpm build`): runs dist/worker.js in workerd, Cloudflare's
// Workers runtime, from the `workerd` npm package (what `wrangler dev` runs, without
// wrangler, which needs Node 22). The bindings come from the environment:
//   WEBHOOK_SECRET   the Standard Webhooks secret (required)
//   MAX_BODY_BYTES   largest body accepted (default 1 MiB)
//   PORT (8787), HOST (127.0.0.1)
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * workerd's binary: the `workerd` package's main export is its path, inside the
 * platform package npm installed with it (`@cloudflare/workerd-linux-64`, ...).
 *
 * @returns {{ path?: string, version?: string, missing?: string }}
 */
export function findWorkerd() {
  try {
    const workerd = /** @type {{ default: string, version: string }} */ (createRequire(import.meta.url)("workerd"));
    if (existsSync(workerd.default)) return { path: workerd.default, version: workerd.version };
    return { version: workerd.version, missing: `${workerd.default} does not exist` };
  } catch (error) {
    return { missing: `the workerd package cannot be loaded: ${/** @type {Error} */ (error).message}` };
  }
}

/** The compatibility date users deploy with: wrangler.toml's, so both run the same. */
function compatibilityDate() {
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(
    readFileSync(join(exampleDir, "wrangler.toml"), "utf8"),
  )?.[1];
  if (date === undefined) throw new Error("wrangler.toml has no compatibility_date");
  return date;
}

/**
 * workerd's config (Cap'n Proto text) for the bundle `worker.js` beside it: one HTTP
 * socket, and the bindings read from workerd's own environment (`fromEnvironment`),
 * so the secret is never written to a file. No `nodejs_compat` flag.
 *
 * @param {{ address: string }} options
 */
function workerdConfig({ address }) {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "${address}", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${compatibilityDate()}",
  bindings = [
    (name = "WEBHOOK_SECRET", fromEnvironment = "WEBHOOK_SECRET"),
    (name = "MAX_BODY_BYTES", fromEnvironment = "MAX_BODY_BYTES"),
  ],
);
`;
}

/**
 * @typedef {object} RunningWorker
 * @property {string} url e.g. `http://127.0.0.1:8787`
 * @property {number} port
 * @property {() => string} output what workerd printed (when `output: "capture"`)
 * @property {() => Promise<void>} stop
 */

/**
 * Runs `dir/worker.js` in workerd on `host:port` (port 0: a free one, which workerd
 * reports on its control file descriptor) and resolves once it listens.
 *
 * @param {{ dir: string, port?: number, host?: string, env?: Record<string, string | undefined>, output?: "inherit" | "capture" }} options
 * @returns {Promise<RunningWorker>}
 */
export function serveWorker({ dir, port = 0, host = "127.0.0.1", env = {}, output = "inherit" }) {
  const { path, missing } = findWorkerd();
  if (path === undefined) return Promise.reject(new Error(`workerd is not installed: ${missing}`));
  writeFileSync(join(dir, "workerd.capnp"), workerdConfig({ address: `${host}:${port}` }));
  const out = output === "capture" ? "pipe" : "inherit";
  const child = spawn(path, ["serve", "workerd.capnp", "--control-fd=3"], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ["ignore", out, out, "pipe"],
  });
  let printed = "";
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk) => (printed += chunk));
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
      child.once("close", () => resolve(undefined));
      child.kill("SIGTERM");
    }).then(() => undefined);

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`workerd did not listen within 30 s\n${printed}`));
    }, 30_000);
    let control = "";
    child.stdio[3]?.on("data", (chunk) => {
      control += chunk;
      // One JSON line per event: {"event":"listen","socket":"http","port":8787}
      for (const line of control.split("\n")) {
        if (!line.includes('"listen"')) continue;
        const listening = JSON.parse(line);
        clearTimeout(timer);
        resolve({ url: `http://${host}:${listening.port}`, port: listening.port, output: () => printed, stop });
        return;
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`workerd exited (${code ?? signal}) before listening\n${printed}`));
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = join(exampleDir, "dist");
  if (!existsSync(join(dir, "worker.js"))) {
    console.error("dist/worker.js is missing: run `pnpm build` first");
    process.exit(1);
  }
  if (!process.env.WEBHOOK_SECRET) {
    console.error("set WEBHOOK_SECRET (whsec_...): the Worker's secret binding");
    process.exit(1);
  }
  const worker = await serveWorker({
    dir,
    port: Number(process.env.PORT ?? 8787),
    host: process.env.HOST ?? "127.0.0.1",
  });
  console.log(`receiving webhooks on ${worker.url}/webhooks (workerd ${findWorkerd().version})`);
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"]))
    process.once(signal, () => void worker.stop().then(() => process.exit(0)));
}
