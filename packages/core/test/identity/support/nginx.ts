// A real nginx, started by the test on loopback ports with a config written into
// a temp dir, stopped in afterAll.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { join } from "node:path";

export interface Nginx {
  readonly errorLog: () => string;
  stop(): Promise<void>;
}

/** A free loopback port (nginx needs a number up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export async function startNginx(binary: string, dir: string, config: string, ports: readonly number[]): Promise<Nginx> {
  for (const name of ["body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"]) {
    mkdirSync(join(dir, name), { recursive: true });
    chmodSync(join(dir, name), 0o777); // workers may run as another user when the tests run as root
  }
  const confPath = join(dir, "nginx.conf");
  writeFileSync(confPath, config);
  const errorLog = () => {
    try {
      return readFileSync(join(dir, "logs", "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  const child: ChildProcess = spawn(binary, ["-p", dir, "-c", confPath, "-e", join(dir, "logs", "error.log"), "-g", "daemon off;"], {
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
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    while (!(await canConnect(port))) {
      if (exited || Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`nginx did not start: ${stderr}\n${errorLog()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}
