// Messages per second through the Redis ReplayStore on its happy path (claim,
// then complete: one EVALSHA each), against the in-memory store and against the
// floor for two round trips on the same Redis with the same client (a bare
// `SET key p NX PX lease`, then `SET key c XX PX retain`), sequentially and with
// several messages in flight; and duplicates (a claim of a completed message: one
// round trip) against a bare refused `SET NX`. Counts the commands the store
// sends per message. Starts its own redis-server on a free loopback port.
// Imports the built packages (`pnpm build`).
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
const LEASE_MS = 30_000;
const RETAIN_MS = 259_200_000;
const TERMS = { leaseMs: LEASE_MS, windowMs: 360_000 };

const binary = findBinary("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]);
if (binary === undefined) {
  console.log("redis-server not found: skipping the Redis replay benchmark (scripts/install-servers.sh installs it)");
  process.exit(process.env.CI === "true" ? 1 : 0);
}

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), "hooksec-redis-bench-"));
const server = spawn(
  binary,
  ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
  {
    stdio: "ignore",
  },
);

let run = 0;
/**
 * Runs `message` for `ms` with `parallel` loops; returns [messages, elapsed ms].
 * Fresh keys, or with `duplicates` the same 1,000 completed keys over and over.
 */
async function slice(message, parallel, ms, duplicates = false) {
  const prefix = duplicates ? "dup:" : `b${run++}:`;
  let done = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: parallel }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const ok = await message(duplicates ? `${prefix}${(worker * 7919 + i) % 1000}` : `${prefix}${worker}:${i}`);
        if (!ok) throw new Error(duplicates ? "a completed message was claimed again" : "a fresh message was refused");
        done++;
      }
    }),
  );
  return [done, performance.now() - started];
}

/**
 * Messages per second of each variant. The variants take turns in short slices
 * (ROUNDS each), so a load change on a shared machine hits them alike.
 */
const ROUNDS = 6;
async function compare(variants, parallel, duplicates = false) {
  const totals = variants.map(() => [0, 0]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, variant] of variants.entries()) {
      const [done, ms] = await slice(variant.message(), parallel, (SECONDS * 1000) / ROUNDS, duplicates);
      totals[index][0] += done;
      totals[index][1] += ms;
    }
  }
  return totals.map(([done, ms]) => done / (ms / 1000));
}

function show(name, perSecond) {
  console.log(`${name.padEnd(50)} ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} messages/s`);
}

/** The client as the store sees it, counting the commands it sends (each one round trip). */
function counting(client) {
  const counter = { commands: 0 };
  const wrapped = new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "eval" || property === "evalsha" || property === "evalSha") {
        return (...args) => {
          counter.commands++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { client: wrapped, counter };
}

/** Happy path: claim, then complete. */
async function handle(store, key) {
  const claimed = await store.claim(key, TERMS);
  if (claimed.state !== "acquired") return false;
  return (await store.complete(key, claimed.token, RETAIN_MS)) === true;
}

try {
  await waitUntil("redis-server", () => answersPing(port), { intervalMs: 25 });
  const io = new Redis({ host: "127.0.0.1", port });
  const node = createClient({ socket: { host: "127.0.0.1", port } });
  await node.connect();
  await io.ping();
  console.log(
    `${SECONDS}s per figure in ${ROUNDS} alternating slices; redis-server on 127.0.0.1:${port}; Node ${process.version}\n`,
  );

  // A fresh memory store per slice, large enough never to fill (its fast path).
  const memory = {
    message: () => {
      const fresh = createMemoryReplayStore({ maxEntries: 5_000_000 });
      return (key) => handle(fresh, key);
    },
  };
  const ratios = [];
  for (const [name, client, bareClaim, bareComplete] of [
    ["ioredis", io, (key) => io.set(key, "p", "PX", LEASE_MS, "NX"), (key) => io.set(key, "c", "PX", RETAIN_MS, "XX")],
    [
      "node-redis",
      node,
      (key) => node.set(key, "p", { NX: true, PX: LEASE_MS }),
      (key) => node.set(key, "c", { XX: true, PX: RETAIN_MS }),
    ],
  ]) {
    // A long timeout: the benchmark measures throughput, and shares 2 cores with other work.
    const counted = counting(client);
    const store = createRedisReplayStore({ client: counted.client, timeoutMs: 10_000 });
    const bare = async (key) => (await bareClaim(key)) !== null && (await bareComplete(key)) !== null;
    await handle(store, "warm-up"); // EVAL once per script: EVALSHA from then on
    for (const parallel of [1, IN_FLIGHT]) {
      const label = `${name}, ${parallel === 1 ? "sequential" : `${parallel} in flight`}`;
      await slice(bare, parallel, 200); // warm-up
      const before = counted.counter.commands;
      let messages = 0;
      const counting = async (key) => {
        messages++;
        return handle(store, key);
      };
      const [memoryRate, bareRate, storeRate] = await compare(
        [memory, { message: () => bare }, { message: () => counting }],
        parallel,
      );
      const perMessage = (counted.counter.commands - before) / messages;
      console.log(label);
      show("  memory store: claim + complete", memoryRate);
      show("  bare SET NX PX + SET XX PX (2 round trips)", bareRate);
      show("  createRedisReplayStore: claim + complete", storeRate);
      ratios.push(
        `${label.padEnd(26)} store/bare ${(storeRate / bareRate).toFixed(2)}   memory/store ${(memoryRate / storeRate).toFixed(1)}x   ~${perMessage.toFixed(2)} commands/message`,
      );
      await io.flushall();
    }
    // Duplicates: a claim of a completed message is one script (GET, answer "completed").
    const heldMemory = createMemoryReplayStore();
    for (let i = 0; i < 1000; i++) {
      await handle(store, `dup:${i}`);
      handle(heldMemory, `dup:${i}`);
      await bareClaim(`bare:dup:${i}`);
    }
    const [memoryDup, bareDup, storeDup] = await compare(
      [
        { message: () => (key) => heldMemory.claim(key, TERMS).state === "completed" },
        { message: () => async (key) => (await bareClaim(`bare:${key}`)) === null },
        { message: () => async (key) => (await store.claim(key, TERMS)).state === "completed" },
      ],
      IN_FLIGHT,
      true,
    );
    console.log(`${name}, duplicates, ${IN_FLIGHT} in flight`);
    show("  memory store: claim (completed)", memoryDup);
    show("  bare refused SET NX PX (1 round trip)", bareDup);
    show("  createRedisReplayStore: claim (completed)", storeDup);
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
