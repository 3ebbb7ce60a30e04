// A real redis-server for tests: a free 127.0.0.1 port, a temporary folder, ready once
// it answers PING. It can be stopped (SIGTERM: a clean shutdown; SIGKILL: a crash),
// started again on the same port and data, and frozen (SIGSTOP: connections stay open,
// nothing answers), which is what the exactly-once and failover tests need.
// Check `findRedisServer()` through `requireBinaries` before starting one.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitUntil } from "./net.js";
import { findBinary } from "./requirements.js";

/** redis-server, on PATH or where Debian puts it. */
export function findRedisServer(): string | undefined {
  return findBinary("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]);
}

export interface RedisServer {
  readonly port: number;
  readonly pid: number | undefined;
  /** Stops the server: SIGKILL simulates a crash, SIGTERM a clean shutdown. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (and the same data folder). */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  thaw(): void;
  /** Stops it for good (SIGKILL) and removes its folder. */
  dispose(): Promise<void>;
}

export interface RedisServerOptions {
  /** Keep every write across a restart: an append-only file, fsync'd on every write. Default false. */
  readonly persistent?: boolean;
}

/** Starts a real redis-server on a free 127.0.0.1 port, in a temporary folder. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findRedisServer();
  if (binary === undefined) throw new Error("redis-server is not installed (scripts/install-servers.sh installs it)");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hooksec-test-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, "--daemonize", "no"];
  args.push(...(options.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]));
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn(binary as string, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    // The server's last words, for the error when it does not come up.
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    started.stdout?.on("data", keep);
    started.stderr?.on("data", keep);
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
    running.kill("SIGCONT"); // a frozen server must run to act on SIGTERM
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

/** True when something on the port answers PING with PONG (a port that accepts is not yet a server that answers). */
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
