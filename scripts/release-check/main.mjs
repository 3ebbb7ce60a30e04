// `node scripts/release-check/main.mjs`: publishes a snapshot of every public package to
// a throwaway loopback registry through the real release path (changesets), then
// installs them by name and version with plain npm into fresh folders outside the
// workspace and uses them as users do. Needs the packages built (pnpm build). Exits
// non-zero naming each consumer that failed. KEEP_RELEASE_CHECK=1 keeps the temp folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import cli from "./consumers/cli.mjs";
import commonjs from "./consumers/commonjs.mjs";
import express from "./consumers/express.mjs";
import fastify from "./consumers/fastify.mjs";
import hapi from "./consumers/hapi.mjs";
import hono from "./consumers/hono.mjs";
import koa from "./consumers/koa.mjs";
import next from "./consumers/next.mjs";
import typescript from "./consumers/typescript.mjs";
import { killAll } from "./lib/processes.mjs";
import { publishSnapshot, removeWorktree } from "./lib/publish.mjs";
import { startRegistry } from "./lib/registry.mjs";

// The slowest first, so the other lane works through the rest meanwhile.
const CONSUMERS = [next, typescript, koa, hapi, express, fastify, hono, commonjs, cli];

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const dir = mkdtempSync(join(tmpdir(), "hooksec-release-check-"));
const only = process.argv.slice(2);
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

let cleaned = false;
async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  killAll();
  await removeWorktree(root, dir);
  if (process.env.KEEP_RELEASE_CHECK === "1") console.log(`release check: kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    cleanUp().finally(() => process.exit(1));
  });
}

async function step(label, work) {
  const since = Date.now();
  const result = await work();
  console.log(`release check: ${label} (${seconds(since)})`);
  return result;
}

let failures = 0;
try {
  const registry = await step("registry up", () => startRegistry(join(dir, "registry"), root));
  const versions = await step("changeset version --snapshot + publish", () =>
    publishSnapshot({ root, dir, registry: registry.url, token: registry.token }),
  );
  console.log(
    `release check: published ${Object.entries(versions)
      .map(([name, version]) => `${name}@${version}`)
      .join(", ")}`,
  );
  const ctx = { root, dir, registry: registry.url, versions };
  // Two at a time: installs mostly wait on the network while Next.js builds on the CPU.
  const queue = CONSUMERS.filter((consumer) => only.length === 0 || only.includes(consumer.name));
  const lane = async () => {
    for (let consumer = queue.shift(); consumer !== undefined; consumer = queue.shift()) {
      const since = Date.now();
      try {
        await consumer.run(ctx);
        console.log(`release check: ok ${consumer.name} (${seconds(since)})`);
      } catch (error) {
        failures++;
        console.error(`release check: FAILED ${consumer.name} (${seconds(since)}): ${error.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Number(process.env.RELEASE_CHECK_JOBS ?? 2) }, lane));
} catch (error) {
  failures++;
  console.error(`release check: FAILED before the consumers: ${error.stack ?? error}`);
} finally {
  await cleanUp();
}
console.log(`release check: ${failures === 0 ? "every consumer passed" : `${failures} failed`} in ${seconds(started)}`);
process.exit(failures === 0 ? 0 : 1);
