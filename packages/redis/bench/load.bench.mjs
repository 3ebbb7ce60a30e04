// A load test of the whole receive path: two receiver processes (node:http,
// the core's createReceiver, message states in @hooksec/redis; one on ioredis,
// one on node-redis) sharing one redis-server started here on loopback, fed
// round-robin by a load generator (this process) over keep-alive agents with a
// bounded number of deliveries in flight.
//
// The deliveries: distinct messages (89 %), duplicates of them (10 %: the same
// id and body, signed again, some while the first is still in flight) and
// tampered copies (1 %: validly signed, then one body byte changed), in a seeded
// order. It asserts (exit 1 otherwise): every message processed exactly once
// (each receiver counts its handler runs per message in a preallocated array and
// reports them over IPC at the end), every tampered copy refused 401, no 5xx
// and no other answer (valid deliveries: 200 processed, 200 duplicate or 409 in
// progress). It reports deliveries per second, each process's CPU time per
// delivery, RSS and heap after warm-up and as the run goes on (after a GC: flat
// means nothing is kept per message), and Redis' memory.
//
//   node scripts/bench.mjs load                              (after `pnpm build`)
//   node packages/redis/bench/load.bench.mjs 20000           (or LOAD_COUNT=20000)
//   LOAD_IN_FLIGHT=64 (deliveries in flight, default 48), LOAD_SEED=1
import { fork, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { createConnection } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createReceiver, standardWebhooks } from "@hooksec/core";
import { createRedisReplayStore } from "@hooksec/redis";
import { findBinary, freePort, waitUntil } from "@hooksec/testkit";
import { Redis } from "ioredis";
import { createClient } from "redis";

const SECRET = `whsec_${Buffer.from("hooksec load bench secret, 32 b").toString("base64")}`;
const BODY_BYTES = 1024;
const ID_PREFIX = "msg_load_";

// ---------------------------------------------------------------- receiver process

async function runReceiver() {
  const port = Number(process.env.REDIS_PORT);
  const count = Number(process.env.LOAD_COUNT);
  let client;
  if (process.env.CLIENT === "ioredis") {
    client = new Redis({ host: "127.0.0.1", port });
    client.on("error", () => {});
  } else {
    client = createClient({ socket: { host: "127.0.0.1", port } });
    client.on("error", () => {});
    await client.connect();
  }
  // A longer wait than the default 500 ms: on a saturated, shared machine the reply can sit
  // behind this process's own busy event loop, and a slow answer is not an outage here.
  const store = createRedisReplayStore({ client, timeoutMs: 5_000 });
  const receiver = createReceiver({ scheme: standardWebhooks({ secret: SECRET }), replay: { store } });
  // Handler runs per message index, allocated once: nothing grows with the number of messages.
  const runs = new Uint8Array(count);
  let foreign = 0;
  const processedBody = JSON.stringify({ processed: true });
  const server = createServer(async (req, res) => {
    try {
      const outcome = await receiver.receive(
        {
          method: req.method ?? "POST",
          url: `http://127.0.0.1${req.url ?? "/"}`,
          headers: req.headers,
          body: req,
          connection: { remoteAddress: req.socket.remoteAddress },
        },
        async (webhook) => {
          const n = Number(webhook.id.slice(ID_PREFIX.length));
          if (webhook.id.startsWith(ID_PREFIX) && Number.isInteger(n) && n >= 0 && n < count)
            runs[n] = Math.min(runs[n] + 1, 255);
          else foreign++;
          webhook.json(); // a handler reads its event
          return 200;
        },
      );
      if (outcome.handled) {
        res.writeHead(outcome.result, { "content-type": "application/json" });
        res.end(processedBody);
        return;
      }
      const { status, headers, body } = outcome.response;
      res.writeHead(status, { ...headers, "content-type": "application/json" });
      res.end(JSON.stringify(body));
    } catch {
      res.writeHead(500);
      res.end();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.on("message", (message) => {
    if (message.type === "memory") {
      globalThis.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send({ type: "memory", rss, heapUsed });
    } else if (message.type === "result") {
      process.send({ type: "result", runs, foreign, cpu: process.cpuUsage() });
    } else if (message.type === "exit") {
      process.exit(0);
    }
  });
  process.send({ type: "ready", port: server.address().port });
}

// ---------------------------------------------------------------- load generator

async function runBench() {
  const count = Number(process.argv[2] ?? process.env.LOAD_COUNT ?? 200_000);
  const inFlight = Number(process.env.LOAD_IN_FLIGHT ?? 48);
  const seed = Number(process.env.LOAD_SEED ?? 1);
  if (!Number.isInteger(count) || count < 1000)
    throw new Error("the delivery count must be an integer of at least 1000");

  const binary = findBinary("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]);
  if (binary === undefined) {
    console.log("redis-server not found: skipping the load benchmark (scripts/install-servers.sh installs it)");
    process.exit(process.env.CI === "true" ? 1 : 0);
  }
  const redisPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hooksec-load-bench-"));
  const server = spawn(
    binary,
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  const receivers = [];
  let failed = false;
  try {
    await waitUntil("redis-server", () => answersPing(redisPort), { intervalMs: 25 });
    for (const [name, kind] of [
      ["a", "ioredis"],
      ["b", "node-redis"],
    ]) {
      receivers.push(await startReceiver(name, kind, redisPort, count));
    }
    const plan = planDeliveries(count, seed);
    const load = loadavg();
    console.log(
      `${count.toLocaleString("en-US")} deliveries (${plan.unique.toLocaleString("en-US")} messages, ${plan.duplicates.toLocaleString("en-US")} duplicates, ${plan.tampered.toLocaleString("en-US")} tampered), ${BODY_BYTES} B bodies, ${inFlight} in flight over 2 receivers; redis-server on 127.0.0.1:${redisPort}; Node ${process.version}; load average ${load.map((x) => x.toFixed(1)).join(" ")}\n`,
    );

    const redis = new Redis({ host: "127.0.0.1", port: redisPort });
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0);
    const memoryBefore = await usedMemory();

    const tally = await drive(plan, receivers, inFlight);

    const results = await Promise.all(receivers.map((receiver) => receiver.ask("result")));
    const after = await Promise.all(receivers.map((receiver) => receiver.ask("memory")));
    const memoryAfter = await usedMemory();
    redis.disconnect();

    // Exactly once: the handler runs of every message, summed over both processes.
    const wrong = [];
    for (let n = 0; n < plan.unique; n++) {
      const runs = results.reduce((sum, result) => sum + result.runs[n], 0);
      if (runs !== 1) wrong.push(`${ID_PREFIX}${n}: ${runs} runs`);
    }
    const foreign = results.reduce((sum, result) => sum + result.foreign, 0);

    const seconds = tally.elapsedMs / 1000;
    const afterWarmUp = (count - tally.warmUpAt.done) / ((tally.elapsedMs - tally.warmUpAt.ms) / 1000);
    console.log(
      `${Math.round(count / seconds).toLocaleString("en-US")} deliveries/s over the whole run (${seconds.toFixed(1)} s), ${Math.round(afterWarmUp).toLocaleString("en-US")}/s after warm-up`,
    );
    console.log(`answers: ${[...tally.answers].map(([what, n]) => `${what} ${n.toLocaleString("en-US")}`).join(", ")}`);
    console.log(
      `latency: p50 ${percentile(tally.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(tally.latencies, 0.99).toFixed(1)} ms, max ${percentile(tally.latencies, 1).toFixed(1)} ms`,
    );
    const generatorCpu = process.cpuUsage();
    for (const [index, receiver] of receivers.entries()) {
      const { user, system } = results[index].cpu;
      console.log(
        `receiver ${receiver.name} (${receiver.kind}): ${((user + system) / (count / receivers.length)).toFixed(0)} µs CPU per delivery it answered (half of them)`,
      );
    }
    console.log(
      `load generator: ${((generatorCpu.user + generatorCpu.system) / count).toFixed(0)} µs CPU per delivery (signing, HTTP client)`,
    );
    console.log("\nmemory after a GC (MB), by deliveries answered:");
    const header = ["", ...tally.snapshots.map((s) => `${Math.round((s.done / count) * 100)} %`), "end"];
    console.log(`  ${header.map((cell, i) => (i === 0 ? cell.padEnd(26) : cell.padStart(14))).join("")}`);
    for (const [index, receiver] of receivers.entries()) {
      const cells = [...tally.snapshots.map((s) => s.memory[index]), after[index]].map(
        (m) => `${mb(m.rss)} / ${mb(m.heapUsed)}`,
      );
      console.log(
        `  ${`receiver ${receiver.name} rss / heap`.padEnd(26)}${cells.map((cell) => cell.padStart(14)).join("")}`,
      );
    }
    const warm = tally.snapshots[0].memory;
    for (const [index, receiver] of receivers.entries()) {
      console.log(
        `  receiver ${receiver.name}: from warm-up to end, heap ${signedMb(after[index].heapUsed - warm[index].heapUsed)} MB, rss ${signedMb(after[index].rss - warm[index].rss)} MB`,
      );
    }
    console.log(
      `redis used_memory: ${mb(memoryBefore)} MB before, ${mb(memoryAfter)} MB after (${((memoryAfter - memoryBefore) / plan.unique).toFixed(0)} bytes per message held, bucket overhead included)`,
    );

    const problems = [];
    if (wrong.length > 0)
      problems.push(`${wrong.length} messages not processed exactly once, e.g. ${wrong.slice(0, 5).join(", ")}`);
    if (foreign > 0) problems.push(`${foreign} handler runs for ids that were never sent`);
    if (tally.tamperedNot401.length > 0)
      problems.push(
        `${tally.tamperedNot401.length} tampered deliveries not refused 401, e.g. ${tally.tamperedNot401.slice(0, 5).join(", ")}`,
      );
    if (tally.serverErrors > 0) problems.push(`${tally.serverErrors} answers 5xx`);
    if (tally.unexpected.length > 0)
      problems.push(
        `${tally.unexpected.length} unexpected answers to valid deliveries, e.g. ${tally.unexpected.slice(0, 5).join(", ")}`,
      );
    if (tally.transportErrors.length > 0)
      problems.push(
        `${tally.transportErrors.length} requests failed, e.g. ${tally.transportErrors.slice(0, 3).join(", ")}`,
      );
    console.log(
      `\nload average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}`,
    );
    if (problems.length > 0) {
      failed = true;
      console.log(`\nFAILED:\n  ${problems.join("\n  ")}`);
    } else {
      console.log(
        `\nOK: ${plan.unique.toLocaleString("en-US")} messages each processed exactly once, ${plan.tampered.toLocaleString("en-US")} tampered refused 401, no 5xx`,
      );
    }
  } finally {
    for (const receiver of receivers) receiver.child.kill("SIGKILL");
    server.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

/** Forks this file as a receiver; resolves once it listens. `ask(type)` sends a request over IPC and waits for the answer of that type. */
async function startReceiver(name, kind, redisPort, count) {
  const child = fork(fileURLToPath(import.meta.url), ["receiver"], {
    execArgv: ["--expose-gc"],
    env: { ...process.env, REDIS_PORT: String(redisPort), CLIENT: kind, LOAD_COUNT: String(count) },
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map();
  child.on("message", (message) => {
    const resolve = waiting.get(message.type);
    waiting.delete(message.type);
    resolve?.(message);
  });
  const answer = (type) => new Promise((resolve) => waiting.set(type, resolve));
  const ready = await Promise.race([
    answer("ready"),
    new Promise((_, reject) => child.once("exit", (code) => reject(new Error(`receiver ${name} exited with ${code}`)))),
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return {
    name,
    kind,
    child,
    agent,
    port: ready.port,
    ask(type) {
      const reply = answer(type);
      child.send({ type });
      return reply;
    },
  };
}

/**
 * Which delivery goes out when: every message once at its place in a shuffled
 * order; each duplicate shortly after its message (up to 512 deliveries later,
 * so some arrive while it is in flight); each tampered copy anywhere. Seeded.
 */
function planDeliveries(count, seed) {
  const random = mulberry32(seed);
  const duplicates = Math.round(count * 0.1);
  const tampered = Math.round(count * 0.01);
  const unique = count - duplicates - tampered;
  const order = new Int32Array(unique);
  for (let i = 0; i < unique; i++) order[i] = i;
  for (let i = unique - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const entries = [];
  for (let position = 0; position < unique; position++)
    entries.push({ at: position, id: order[position], tampered: false });
  for (let d = 0; d < duplicates; d++) {
    const position = Math.floor(random() * unique);
    entries.push({ at: position + 0.5 + random() * 512, id: order[position], tampered: false });
  }
  for (let t = 0; t < tampered; t++)
    entries.push({ at: random() * unique, id: Math.floor(random() * unique), tampered: true });
  entries.sort((x, y) => x.at - y.at);
  return { entries, unique, duplicates, tampered };
}

/** Sends every planned delivery with `inFlight` at a time, alternating receivers; tallies the answers and takes memory snapshots as it goes. */
async function drive(plan, receivers, inFlight) {
  const scheme = standardWebhooks({ secret: SECRET });
  const total = plan.entries.length;
  const tally = {
    answers: new Map(),
    tamperedNot401: [],
    unexpected: [],
    transportErrors: [],
    serverErrors: 0,
    latencies: new Float64Array(total),
    snapshots: [],
    warmUpAt: { done: 0, ms: 0 },
    elapsedMs: 0,
  };
  const milestones = [0.1, 0.25, 0.5, 0.75].map((share) => Math.floor(total * share));
  let next = 0;
  let done = 0;
  const pendingSnapshots = [];
  const started = performance.now();

  async function deliverOne(index) {
    const entry = plan.entries[index];
    const receiver = receivers[index % receivers.length];
    const id = `${ID_PREFIX}${entry.id}`;
    const body = bodyOf(entry.id);
    const headers = await scheme.sign({ id, timestamp: new Date(), body });
    const sent = entry.tampered ? tamper(body, index) : body;
    const begin = performance.now();
    const answer = await post(receiver, headers, sent).catch((error) => ({ error }));
    tally.latencies[index] = performance.now() - begin;
    if (answer.error !== undefined) {
      tally.transportErrors.push(`${id}: ${answer.error.message}`);
      return;
    }
    const { status, text } = answer;
    if (status >= 500) tally.serverErrors++;
    let what;
    if (entry.tampered) {
      what = `tampered ${status}`;
      if (status !== 401) tally.tamperedNot401.push(`${id}: ${status} ${text}`);
    } else if (status === 200 && text.includes('"processed"')) what = "200 processed";
    else if (status === 200 && text.includes('"duplicate"')) what = "200 duplicate";
    else if (status === 409 && text.includes("message_in_progress")) what = "409 in progress";
    else {
      what = `other ${status}`;
      tally.unexpected.push(`${id}: ${status} ${text}`);
    }
    tally.answers.set(what, (tally.answers.get(what) ?? 0) + 1);
  }

  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let index = next++; index < total; index = next++) {
        await deliverOne(index);
        done++;
        if (done === milestones[0]) {
          milestones.shift();
          const at = { done, ms: performance.now() - started };
          if (tally.snapshots.length === 0) tally.warmUpAt = at;
          const snapshot = { done, memory: [] };
          tally.snapshots.push(snapshot);
          pendingSnapshots.push(
            Promise.all(receivers.map((receiver) => receiver.ask("memory"))).then((memory) => {
              snapshot.memory = memory;
            }),
          );
        }
      }
    }),
  );
  tally.elapsedMs = performance.now() - started;
  await Promise.all(pendingSnapshots);
  return tally;
}

/** One POST on the receiver's keep-alive agent: the status and the body text. */
function post(receiver, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: receiver.port,
        path: "/webhook",
        method: "POST",
        agent: receiver.agent,
        headers: { ...headers, "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const padding = "x".repeat(BODY_BYTES);
/** The message's body: the same bytes for every delivery of it, about BODY_BYTES long. */
function bodyOf(n) {
  const head = `{"type":"invoice.paid","id":"${ID_PREFIX}${n}","data":{"amount":${(n * 7919) % 100_000},"pad":"`;
  return Buffer.from(`${head}${padding.slice(0, BODY_BYTES - head.length - 3)}"}}`);
}

/** The same body with one byte changed (inside the padding, so it stays JSON). */
function tamper(body, index) {
  const copy = Buffer.from(body);
  const at = copy.length - 4 - (index % 200);
  copy[at] = copy[at] === 0x79 ? 0x7a : 0x79;
  return copy;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(values, share) {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(share * (sorted.length - 1)))];
}

const mb = (bytes) => (bytes / 1048576).toFixed(1);
const signedMb = (bytes) => `${bytes >= 0 ? "+" : ""}${mb(bytes)}`;

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

// Last: the helpers above (module constants) must be initialised first.
if (process.argv[2] === "receiver") await runReceiver();
else await runBench();
