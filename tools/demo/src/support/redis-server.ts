// A throwaway redis-server for the durable delivery scenarios: a free loopback
// port, a temporary folder, no persistence; stopped and deleted at cleanup.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { Cleanup } from "./cleanup.js";
import { canConnect, freePort } from "./net.js";

/** The redis-server executable on PATH (or where Debian puts it), if any. */
export function findRedisServer(): string | undefined {
  const onPath = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const dir of [...onPath, "/usr/bin", "/usr/local/bin"]) {
    const candidate = join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Starts redis-server and resolves its port once it accepts connections. */
export async function startRedisServer(cleanup: Cleanup, binary: string): Promise<{ port: number }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hooksec-demo-redis-"));
  const child: ChildProcess = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  cleanup.add(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { port };
}
