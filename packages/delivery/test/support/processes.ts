import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Socket, connect } from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));

/** Runs a TypeScript fixture through tsx with the sources' export condition; resolves on its first JSON line. */
export async function startFixture(
  file: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  const script = fileURLToPath(new URL(`../fixtures/${file}`, import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=hooksec-source", script], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const first = output.split("\n").find((text) => text.startsWith("{"));
      if (first !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(first) as Record<string, unknown>);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}:\n${output}`));
    });
  });
  return { child, line };
}

export function kill(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  return exited;
}

/**
 * A round-robin TCP load balancer in front of the receiver instances: each new connection
 * goes to the next backend; a backend that refuses ends the client's connection (the
 * sender retries, and its next connection goes elsewhere).
 */
export async function startBalancer(
  backends: () => readonly number[],
): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const ports = backends();
    const port = ports[next++ % Math.max(1, ports.length)];
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    if (port === undefined) return void client.destroy();
    const upstream = connect({ host: "127.0.0.1", port });
    sockets.add(upstream);
    upstream.once("close", () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
    client.once("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
