// A real redis-server for tests, on a free loopback port in a temp folder. Packages
// whose tests need more (AOF restarts, clusters) keep their own; this is the plain one.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, freePort, waitUntil } from "./net.js";
import { findBinary } from "./requirements.js";

/** redis-server, on PATH or where Debian puts it. */
export function findRedisServer(): string | undefined {
  return findBinary("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]);
}

export interface TestRedis {
  readonly port: number;
  /** SIGKILLs it and removes its folder. */
  dispose(): Promise<void>;
}

/** Starts redis-server without persistence; check `findRedisServer()` through `requireBinaries` first. */
export async function startRedis(): Promise<TestRedis> {
  const binary = findRedisServer();
  if (binary === undefined) throw new Error("redis-server is not installed (scripts/install-servers.sh installs it)");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hooksec-test-redis-"));
  const child: ChildProcess = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  await waitUntil(`redis-server on ${port}`, () => canConnect(port), {
    intervalMs: 25,
    failed: () => (child.exitCode === null ? undefined : "exited"),
  });
  return {
    port,
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
