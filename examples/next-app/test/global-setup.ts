import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, randomSecret, waitUntil } from "@hooksec/testkit";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    nextUrl: string;
    webhookSecret: string;
    stripeSecret: string;
    maxBodyBytes: number;
    /** A file that receives what `next start` writes to stderr (its error log). */
    serverLog: string;
  }
}

const appDir = new URL("..", import.meta.url).pathname;
const nextBin = join(appDir, "node_modules", "next", "dist", "bin", "next");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) {
    execFileSync(process.execPath, [nextBin, "build"], { cwd: appDir, env, stdio: "inherit" });
  }
  const webhookSecret = randomSecret();
  const stripeSecret = `whsec_${randomBytes(24).toString("hex")}`;
  const maxBodyBytes = 64 * 1024;
  const port = await freePort();
  const server = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: appDir,
    env: {
      ...env,
      WEBHOOK_SECRET: webhookSecret,
      STRIPE_WEBHOOK_SECRET: stripeSecret,
      WEBHOOK_MAX_BODY_BYTES: String(maxBodyBytes),
    },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  // The server's error log, for the tests that check a setup mistake reaches it.
  const serverLog = join(mkdtempSync(join(tmpdir(), "hooksec-next-app-")), "stderr.log");
  server.stderr.pipe(createWriteStream(serverLog));
  server.stderr.pipe(process.stderr);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (server.exitCode !== null || server.pid === undefined) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    process.kill(-server.pid, "SIGTERM");
    await exited;
  };
  try {
    await waitUntil("next start", async () => (await fetch(`${url}/api/events`)).ok, {
      timeoutMs: 60_000,
      intervalMs: 200,
      failed: () => (server.exitCode === null ? undefined : `exited with ${server.exitCode}`),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide("nextUrl", url);
  project.provide("webhookSecret", webhookSecret);
  project.provide("stripeSecret", stripeSecret);
  project.provide("maxBodyBytes", maxBodyBytes);
  project.provide("serverLog", serverLog);
  return stop;
}
