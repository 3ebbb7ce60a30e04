import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary, freePort, waitUntil } from "@hooksec/testkit";

/** The redis-server binary, or undefined when it is not installed. */
export const redisServerBinary: string | undefined = findBinary("redis-server", [
  "/usr/bin/redis-server",
  "/usr/local/bin/redis-server",
  "/usr/sbin/redis-server",
]);

/**
 * Locally a missing redis-server skips these tests (with a message); under
 * CI=true it must not: the suite then fails in `startRedisServer`.
 */
export const skipWithoutRedis = redisServerBinary === undefined && process.env.CI !== "true";
if (skipWithoutRedis) {
  console.warn(
    "@hooksec/redis: redis-server not found on PATH; skipping the Redis tests (run scripts/install-servers.sh)",
  );
}

export interface RedisServer {
  readonly port: number;
  readonly pid: number | undefined;
  /** Stops the server: SIGKILL simulates a crash, SIGTERM a clean shutdown. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (and the same data directory). */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  thaw(): void;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
}

export interface RedisServerOptions {
  /** Keep claims across a restart: an append-only file, fsync'd on every write. Default false. */
  readonly persistent?: boolean;
}

/** Starts a real redis-server on a free 127.0.0.1 port, in a temp directory. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisServerBinary;
  if (binary === undefined)
    throw new Error("redis-server is not installed (CI=true: scripts/install-servers.sh must install it)");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hooksec-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--daemonize", "no"];
  args.push(...(options.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]));
  let child: ChildProcess | undefined;
  let output = "";

  async function start(): Promise<void> {
    const started = spawn(binary as string, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    output = "";
    started.stdout?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    started.stderr?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    try {
      await waitUntil(`redis-server on port ${port}`, () => answersPing(port), {
        intervalMs: 25,
        failed: () => (started.exitCode === null ? undefined : "exited"),
      });
    } catch (error) {
      started.kill("SIGKILL");
      throw new Error(`${(error as Error).message}:\n${output}`);
    }
  }

  async function stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGCONT");
    running.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    get pid() {
      return child?.pid;
    },
    stop,
    start,
    freeze: () => child?.kill("SIGSTOP"),
    thaw: () => child?.kill("SIGCONT"),
    async dispose() {
      await stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when something on the port answers PING with PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
}
