import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    nextUrl: string;
    webhookSecret: string;
    stripeSecret: string;
    maxBodyBytes: number;
  }
}

const appDir = new URL("..", import.meta.url).pathname;
const nextBin = join(appDir, "node_modules", "next", "dist", "bin", "next");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

async function waitUntilReady(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${url}/api/events`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`next start did not answer on ${url}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) {
    execFileSync(process.execPath, [nextBin, "build"], { cwd: appDir, env, stdio: "inherit" });
  }
  const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;
  const stripeSecret = `whsec_${randomBytes(24).toString("hex")}`;
  const maxBodyBytes = 64 * 1024;
  const port = await freePort();
  const server = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: appDir,
    env: { ...env, WEBHOOK_SECRET: webhookSecret, STRIPE_WEBHOOK_SECRET: stripeSecret, WEBHOOK_MAX_BODY_BYTES: String(maxBodyBytes) },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (server.exitCode !== null || server.pid === undefined) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    process.kill(-server.pid, "SIGTERM");
    await exited;
  };
  try {
    await waitUntilReady(url, server);
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide("nextUrl", url);
  project.provide("webhookSecret", webhookSecret);
  project.provide("stripeSecret", stripeSecret);
  project.provide("maxBodyBytes", maxBodyBytes);
  return stop;
}
