// A real nginx, started by the test on loopback ports with a config written into
// a temp dir, and stopped in afterAll.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitUntilListening } from "./net.js";

export interface Nginx {
  /** What nginx wrote to `<dir>/logs/error.log` so far. */
  readonly errorLog: () => string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** The nginx binary (see `findNginx`). */
  readonly binary: string;
  /** Its prefix folder: the config, logs and temp folders go here. */
  readonly dir: string;
  /** The whole nginx.conf. Without a `daemon` line, nginx runs with `daemon off;`. */
  readonly config: string;
  /** The ports it listens on: it counts as started when all accept connections. */
  readonly ports: readonly number[];
}

/** `{{NAME}}` placeholders of a config template replaced by their values. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${placeholder}`);
    return String(value);
  });
}

export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const { dir } = options;
  for (const name of ["body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"]) {
    mkdirSync(join(dir, name), { recursive: true });
    chmodSync(join(dir, name), 0o777); // workers may run as another user when the tests run as root
  }
  const confPath = join(dir, "nginx.conf");
  writeFileSync(confPath, options.config);
  const errorLogPath = join(dir, "logs", "error.log");
  const errorLog = () => {
    try {
      return readFileSync(errorLogPath, "utf8");
    } catch {
      return "";
    }
  };
  const daemon = /^\s*daemon\s/m.test(options.config) ? [] : ["-g", "daemon off;"];
  const child: ChildProcess = spawn(options.binary, ["-p", dir, "-c", confPath, "-e", errorLogPath, ...daemon], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  try {
    await waitUntilListening("nginx", options.ports, {
      failed: () => (exited ? `exited: ${stderr}\n${errorLog()}` : undefined),
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${stderr}\n${errorLog()}`);
  }
  return {
    errorLog,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGQUIT");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}
