// Finding the runtimes the lockfile installed, bundling the battery, and running
// it in each runtime on loopback. Test support, not a test file.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { arch, platform, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { ScenarioResult } from "../src/battery.ts";

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(packageDir, "package.json"));

/** A runtime binary from an npm package, or why there is none. */
export interface Binary {
  readonly path: string | undefined;
  readonly version: string | undefined;
  readonly missing?: string;
}

/** The binary inside the platform package (an optional dependency of `main`), without the package's postinstall. */
function platformBinary(main: string, platformPackage: string, subpath: string): Binary {
  let mainDir: string;
  try {
    mainDir = dirname(require.resolve(`${main}/package.json`));
  } catch {
    return { path: undefined, version: undefined, missing: `the npm package ${main} is not installed` };
  }
  const version = (JSON.parse(readFileSync(join(mainDir, "package.json"), "utf8")) as { version: string }).version;
  try {
    const dir = dirname(createRequire(join(mainDir, "package.json")).resolve(`${platformPackage}/package.json`));
    const path = join(dir, subpath);
    if (existsSync(path)) return { path, version };
  } catch {
    // not installed for this platform
  }
  return {
    path: undefined,
    version,
    missing: `${platformPackage} (${main}'s binary for ${platform()}-${arch()}) is not installed`,
  };
}

const x64 = arch() === "x64";

/** Deno from the `deno` npm package's platform package (`@deno/linux-x64-glibc`, ...). */
export function findDeno(): Binary {
  const target = platform() === "linux" ? `linux-${x64 ? "x64" : "arm64"}-glibc` : `${platform()}-${arch()}`;
  return platformBinary("deno", `@deno/${target}`, platform() === "win32" ? "deno.exe" : "deno");
}

/** Bun from the `bun` npm package's platform package (`@oven/bun-linux-x64`, ...): that build needs AVX2 on x64. */
export function findBun(): Binary {
  const found = platformBinary(
    "bun",
    `@oven/bun-${platform()}-${x64 ? "x64" : "aarch64"}`,
    platform() === "win32" ? "bin/bun.exe" : "bin/bun",
  );
  if (
    found.path !== undefined &&
    platform() === "linux" &&
    x64 &&
    !/\bavx2\b/.test(readFileSync("/proc/cpuinfo", "utf8"))
  ) {
    return {
      path: undefined,
      version: found.version,
      missing: "@oven/bun-linux-x64 needs a CPU with AVX2 (the -baseline build is not in the lockfile)",
    };
  }
  return found;
}

/** workerd from the `workerd` npm package: its main export is the platform binary's path. */
export function findWorkerd(): Binary & { compatibilityDate?: string } {
  try {
    const workerd = require("workerd") as { default: string; version: string; compatibilityDate: string };
    if (existsSync(workerd.default))
      return { path: workerd.default, version: workerd.version, compatibilityDate: workerd.compatibilityDate };
    return { path: undefined, version: workerd.version, missing: `${workerd.default} does not exist` };
  } catch (error) {
    return {
      path: undefined,
      version: undefined,
      missing: `workerd's binary cannot be found: ${(error as Error).message}`,
    };
  }
}

/** What a battery run printed. */
export interface BatteryReport {
  readonly runtime: { readonly name: string; readonly version?: string };
  readonly resolution?: { readonly core: string; readonly crypto: string };
  readonly results: readonly ScenarioResult[];
}

export interface Bundles {
  readonly dir: string;
  /** The Deno/Bun entry bundled for the web (esbuild's browser platform): the core's `default` exports, Web Crypto. */
  readonly web: string;
  /** The module worker, bundled as wrangler would (`workerd`, `worker`, `browser` conditions). */
  readonly worker: string;
  /** The core files each bundle took, relative to packages/core/dist. */
  readonly coreInputs: { readonly web: readonly string[]; readonly worker: readonly string[] };
}

function coreFiles(inputs: Record<string, unknown>): string[] {
  return Object.keys(inputs)
    .map((input) => resolve(packageDir, input))
    .filter((input) => input.includes(`${join("packages", "core", "dist")}`))
    .map((input) => input.slice(input.indexOf(join("core", "dist")) + join("core", "dist").length + 1));
}

let bundling: Promise<Bundles> | undefined;

/** Bundles the battery once per test run into a temporary folder. */
export function bundles(): Promise<Bundles> {
  bundling ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "hooksec-runtimes-"));
    const common = {
      bundle: true,
      format: "esm",
      target: "es2022",
      metafile: true,
      logLevel: "silent",
      absWorkingDir: packageDir,
    } as const;
    const web = await build({
      ...common,
      entryPoints: [join(packageDir, "src/cli.ts")],
      platform: "browser",
      outfile: join(dir, "web/cli.js"),
    });
    const worker = await build({
      ...common,
      entryPoints: [join(packageDir, "src/worker.ts")],
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      outfile: join(dir, "worker/worker.js"),
    });
    return {
      dir,
      web: join(dir, "web/cli.js"),
      worker: join(dir, "worker/worker.js"),
      coreInputs: { web: coreFiles(web.metafile.inputs), worker: coreFiles(worker.metafile.inputs) },
    };
  })();
  return bundling;
}

/** Removes the bundles' temporary folder (after every runtime stopped). */
export async function removeBundles(): Promise<void> {
  if (bundling === undefined) return;
  const { dir } = await bundling.catch(() => ({ dir: undefined }));
  bundling = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`), with its output. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** The report from the last line of a run's output, or an error that shows the whole output. */
export function reportOf(ran: Ran): BatteryReport {
  const line = ran.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as BatteryReport;
  } catch {
    throw new Error(
      `no battery report (exit ${ran.code}, signal ${ran.signal})\nstdout:\n${ran.stdout}\nstderr:\n${ran.stderr}`,
    );
  }
}

/** A runtime serving on loopback, stopped by `stop()`. */
export interface Served {
  readonly origin: string;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolvePromise) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
      child.once("close", () => resolvePromise());
      child.kill("SIGTERM");
    });
}

/**
 * Starts a long-running runtime process and waits for its port: read from the
 * stream `portFrom` picks (a JSON line with `port`), within 30 s.
 */
export function serve(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; portStream?: 1 | 3 },
): Promise<Served> {
  const portStream = options.portStream ?? 1;
  const stdio: ("ignore" | "pipe")[] = ["ignore", "pipe", "pipe"];
  if (portStream === 3) stdio.push("pipe");
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio });
  let output = "";
  const stop = stopper(child);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} did not listen within 30 s:\n${output}`));
    }, 30_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    let lines = "";
    const source = child.stdio[portStream];
    source?.on("data", (chunk: Buffer) => {
      lines += chunk.toString();
      if (portStream === 1) output += chunk.toString();
      for (const line of lines.split("\n")) {
        try {
          const { port } = JSON.parse(line) as { port?: number };
          if (typeof port === "number") {
            clearTimeout(timer);
            resolvePromise({ origin: `http://127.0.0.1:${port}`, stop });
            return;
          }
        } catch {
          // not (yet) a whole JSON line
        }
      }
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/** Deno's flags: no config discovery beyond the package, no lockfile writes, cache in the temp folder. */
export function denoEnv(dir: string): NodeJS.ProcessEnv {
  return { DENO_DIR: join(dir, "deno-cache"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
}

/** workerd's config for the bundled worker: one HTTP socket on 127.0.0.1, a free port reported on the control fd. */
export async function workerdConfig(bundle: Bundles, secret: string, compatibilityDate: string): Promise<string> {
  const dir = join(bundle.dir, "worker");
  await mkdir(dir, { recursive: true });
  const config = join(dir, `config-${Date.now()}.capnp`);
  await writeFile(
    config,
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${compatibilityDate}",
  bindings = [(name = "SECRET", text = ${JSON.stringify(secret)})],
);
`,
  );
  return config;
}

/**
 * A package whose `imports` map has `node` and `default` like the core's `#crypto`:
 * which one a runtime takes for an npm package. Returns the folder of a script
 * that prints "node" or "web".
 */
export async function conditionProbe(bundle: Bundles): Promise<string> {
  const dir = join(bundle.dir, "probe");
  const pkg = join(dir, "node_modules", "probe");
  await mkdir(pkg, { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "probe-app", private: true, type: "module", dependencies: { probe: "*" } }),
  );
  await writeFile(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "probe",
      version: "1.0.0",
      type: "module",
      exports: { ".": { types: "./types.js", default: "./index.js" } },
      imports: { "#which": { types: "./types.js", node: "./node.js", default: "./web.js" } },
    }),
  );
  await writeFile(join(pkg, "index.js"), 'export { which } from "#which";\n');
  await writeFile(join(pkg, "node.js"), 'export const which = "node";\n');
  await writeFile(join(pkg, "web.js"), 'export const which = "web";\n');
  await writeFile(join(pkg, "types.js"), 'export const which = "types";\n');
  await writeFile(join(dir, "main.js"), 'import { which } from "probe";\nconsole.log(which);\n');
  return dir;
}
