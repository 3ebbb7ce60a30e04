// Claims per second: the Redis ReplayStore against the in-memory store and
// against a bare `SET key value NX PX ttl` loop on the same Redis with the same
// client, sequentially and with several claims in flight. Starts its own
// redis-server on a free loopback port. Imports the built packages (`pnpm build`).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryReplayStore } from "@hooksec/core";
import { createRedisReplayStore } from "@hooksec/redis";
import { findBinary, freePort, waitUntil } from "@hooksec/testkit";
import { Redis } from "ioredis";
import { createClient } from "redis";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const IN_FLIGHT = 32;
const TTL_MS = 60_000;

const binary = findBinary("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]);
if (binary === undefined) {
  console.log("redis-server not found: skipping the Redis replay benchmark (scripts/install-servers.sh installs it)");
  process.exit(process.env.CI === "true" ? 1 : 0);
}

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), "hooksec-redis-bench-"));
const server = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
  stdio: "ignore",
});

let run = 0;
/**
 * Runs `claim` for `ms` with `parallel` loops; returns [claims, elapsed ms].
 * Fresh keys, or with `duplicates` the same 1,000 keys claimed over and over.
 */
async function slice(claim, parallel, ms, duplicates = false) {
  const prefix = duplicates ? "dup:" : `b${run++}:`;
  let done = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: parallel }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const token = await claim(duplicates ? `${prefix}${(worker * 7919 + i) % 1000}` : `${prefix}${worker}:${i}`);
        if ((token === null) !== duplicates) throw new Error(duplicates ? "a duplicate was accepted" : "a fresh key was refused");
        done++;
      }
    }),
  );
  return [done, performance.now() - started];
}

/**
 * Claims per second of each variant. The variants take turns in short slices
 * (ROUNDS each), so a load change on a shared machine hits them alike.
 */
const ROUNDS = 6;
async function compare(variants, parallel, duplicates = false) {
  const totals = variants.map(() => [0, 0]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, variant] of variants.entries()) {
      const [done, ms] = await slice(variant.claim(), parallel, (SECONDS * 1000) / ROUNDS, duplicates);
      totals[index][0] += done;
      totals[index][1] += ms;
    }
  }
  return totals.map(([done, ms]) => done / (ms / 1000));
}

function show(name, perSecond) {
  console.log(`${name.padEnd(46)} ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} claims/s`);
}

try {
  await waitUntil("redis-server", () => answersPing(port), { intervalMs: 25 });
  const io = new Redis({ host: "127.0.0.1", port });
  const node = createClient({ socket: { host: "127.0.0.1", port } });
  await node.connect();
  await io.ping();
  console.log(`${SECONDS}s per figure in ${ROUNDS} alternating slices; redis-server on 127.0.0.1:${port}; Node ${process.version}\n`);

  // A fresh memory store per slice, large enough never to fill (its fast path).
  const memory = {
    claim: () => {
      const fresh = createMemoryReplayStore({ maxEntries: 5_000_000 });
      return (key) => fresh.claim(key, TTL_MS);
    },
  };
  const ratios = [];
  for (const [name, bare, client] of [
    ["ioredis", (key) => io.set(key, "1", "PX", TTL_MS, "NX"), io],
    ["node-redis", (key) => node.set(key, "1", { NX: true, PX: TTL_MS }), node],
  ]) {
    // A long timeout: the benchmark measures throughput, and shares 2 cores with other work.
    const store = createRedisReplayStore({ client, timeoutMs: 10_000 });
    for (const parallel of [1, IN_FLIGHT]) {
      const label = `${name}, ${parallel === 1 ? "sequential" : `${parallel} in flight`}`;
      await slice(bare, parallel, 200); // warm-up
      const [memoryRate, bareRate, storeRate] = await compare(
        [memory, { claim: () => bare }, { claim: () => (key) => store.claim(key, TTL_MS) }],
        parallel,
      );
      console.log(label);
      show("  memory store (createMemoryReplayStore)", memoryRate);
      show("  bare SET key value NX PX ttl", bareRate);
      show("  createRedisReplayStore claim", storeRate);
      ratios.push(
        `${label.padEnd(26)} store/bare ${(storeRate / bareRate).toFixed(2)}   memory/store ${(memoryRate / storeRate).toFixed(1)}x`,
      );
      await io.flushall();
    }
    // Duplicates: the key is held by another claim. The store then reads the key
    // once more (GET), to tell a re-sent SET of its own from somebody else's claim.
    const held = createRedisReplayStore({ client: io, timeoutMs: 10_000 });
    const heldMemory = createMemoryReplayStore();
    for (let i = 0; i < 1000; i++) {
      await held.claim(`dup:${i}`, TTL_MS);
      heldMemory.claim(`dup:${i}`, TTL_MS);
    }
    const [memoryDup, bareDup, storeDup] = await compare(
      [
        { claim: () => (key) => heldMemory.claim(key, TTL_MS) },
        { claim: () => (key) => bare(`hooksec:replay:${key}`) },
        { claim: () => (key) => store.claim(key, TTL_MS) },
      ],
      IN_FLIGHT,
      true,
    );
    console.log(`${name}, duplicates, ${IN_FLIGHT} in flight`);
    show("  memory store (createMemoryReplayStore)", memoryDup);
    show("  bare SET key value NX PX ttl", bareDup);
    show("  createRedisReplayStore claim", storeDup);
    ratios.push(
      `${`${name}, duplicates`.padEnd(26)} store/bare ${(storeDup / bareDup).toFixed(2)}   memory/store ${(memoryDup / storeDup).toFixed(1)}x`,
    );
    await io.flushall();
  }
  console.log("\nratios (same run):");
  for (const line of ratios) console.log(`  ${line}`);
  io.disconnect();
  await node.close();
} finally {
  server.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}

function answersPing(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}
