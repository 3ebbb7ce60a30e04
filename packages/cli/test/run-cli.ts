// Runs the real `hooksec` command as a user would: a child process on the TypeScript
// sources (tsx, the hooksec-source condition), so no build is needed first.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(packageDir, "src", "bin.ts");
// tsx's loader by absolute URL: `--import tsx` would be resolved from the child's working directory.
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "loader.mjs"),
).href;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Extra environment variables (the process's own are kept, minus HOOKSEC_*). */
  readonly env?: Readonly<Record<string, string>>;
  /** Standard input. */
  readonly input?: string | Uint8Array;
  /** Working directory (default: the package folder). */
  readonly cwd?: string;
}

/** `hooksec ...args`, resolved when the process exits. */
export function hooksec(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, "--conditions=hooksec-source", bin, ...args], {
      cwd: options.cwd ?? packageDir,
      env: { ...process.env, NODE_OPTIONS: "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
    child.stdin.end(options.input ?? "");
  });
}

/** Parses the JSON a `--json` command printed. */
export function json<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
}

/** `name: value` lines as a header record. */
export function headerLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split("\n").filter(Boolean)) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** A temp folder made on first use of `dir` (so skipped tests leave nothing behind), removed by `remove`. */
export function tempDir(): { readonly dir: string; remove: () => void } {
  let made: string | undefined;
  return {
    get dir() {
      made ??= mkdtempSync(join(tmpdir(), "hooksec-cli-test-"));
      return made;
    },
    remove: () => {
      if (made !== undefined) rmSync(made, { recursive: true, force: true });
    },
  };
}
