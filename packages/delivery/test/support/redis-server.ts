// The minimal start logic of @hooksec/redis's test support (a package's tests do not
// import another package's test files): a real redis-server on a free loopback port.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, findBinary, freePort, waitUntil } from "@hooksec/testkit";

const redisServerBinary = findBinary("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]);

/** Locally a missing redis-server skips these tests; under CI=true it must not (startRedisServer throws). */
export const skipWithoutRedis = redisServerBinary === undefined && process.env.CI !== "true";
if (skipWithoutRedis)
  console.warn("@hooksec/delivery: redis-server not found; skipping (run scripts/install-servers.sh)");

export interface RedisServer {
  readonly port: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** Starts redis-server; `persistent`: AOF fsync'd on every write, so a restart keeps every job. */
export async function startRedisServer(options: { persistent?: boolean } = {}): Promise<RedisServer> {
  const binary = redisServerBinary;
  if (binary === undefined)
    throw new Error("redis-server is not installed (CI=true: scripts/install-servers.sh must install it)");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hooksec-delivery-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--daemonize", "no"];
  args.push(...(options.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]));
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn(binary as string, args, { stdio: "ignore" });
    child = started;
    await waitUntil(`redis-server on ${port}`, () => canConnect(port), {
      intervalMs: 25,
      failed: () => (started.exitCode === null ? undefined : "exited"),
    });
  }
  async function stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill(signal);
    await exited;
  }
  await start();
  return {
    port,
    start,
    stop,
    async dispose() {
      await stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}
