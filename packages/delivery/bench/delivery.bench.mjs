// `pnpm bench delivery`: deliveries per second to a loopback receiver with 1, 2 and 4
// worker processes (concurrency 16 each), against the engine's floor: the same BullMQ
// queue and workers running a job that makes one plain HTTP POST (no signing, no log,
// no circuit). Between the two, `sender`: the same BullMQ job sending with the core
// sender alone (signing, SSRF checks, timeouts, undici), no log, no circuit: hooksec/sender
// is what this package's bookkeeping costs, sender/floor what the core sender costs.
// Jobs are queued first, then the workers drain them; the time to drain is measured.
// Runs against the built packages (dist).
import { fork, spawn } from "node:child_process";
import { createServer } from "node:http";
import { connect } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const CONCURRENCY = 16;
const WORKERS = (process.env.BENCH_WORKERS ?? "1,2,4").split(",").map(Number);
const SECRET = `whsec_${Buffer.from("hooksec delivery bench secret 32").toString("base64")}`;
const connection = (port) => ({ host: "127.0.0.1", port });
// BENCH_CPU_PROF=<dir>: workers write a V8 CPU profile there (open it in Chrome DevTools).
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

const [role, ...args] = process.argv.slice(2);
if (role === "receiver") await receiver();
else if (role === "worker") await worker(...args);
else await main();

async function receiver() {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200);
      response.end("ok");
    });
  });
  server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
}

async function worker(mode, redisPort, queueName) {
  const { Worker } = await import("bullmq");
  if (mode === "hooksec") {
    const { createDeliveryWorker } = await import("@hooksec/delivery");
    const delivery = createDeliveryWorker({
      connection: connection(Number(redisPort)),
      queueName,
      concurrency: CONCURRENCY,
      ssrf: { allowCidrs: ["127.0.0.0/8"], allowHttp: true },
    });
    await delivery.worker.waitUntilReady();
  } else if (mode === "sender") {
    const { createSender, standardWebhooks } = await import("@hooksec/core");
    const { createNodeTransport } = await import("@hooksec/core/sender/node");
    const sender = createSender({
      retry: { attempts: 1 },
      transport: createNodeTransport(),
      ssrf: { allowCidrs: ["127.0.0.0/8"], allowHttp: true },
    });
    const scheme = standardWebhooks({ secret: SECRET });
    const w = new Worker(
      queueName,
      async (job) => ({
        status: (await sender.send({ url: job.data.url }, job.data.body, { id: job.id, scheme })).lastStatus,
      }),
      { connection: { ...connection(Number(redisPort)), maxRetriesPerRequest: null }, concurrency: CONCURRENCY },
    );
    await w.waitUntilReady();
  } else {
    const { Agent, request } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const post = (url, body) =>
      new Promise((resolve, reject) => {
        const outgoing = request(
          url,
          { method: "POST", agent, headers: { "content-type": "application/json" } },
          (response) => {
            response.resume();
            response.on("end", resolve);
          },
        );
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    const w = new Worker(queueName, (job) => post(job.data.url, job.data.body), {
      connection: { ...connection(Number(redisPort)), maxRetriesPerRequest: null },
      concurrency: CONCURRENCY,
    });
    await w.waitUntilReady();
  }
  // CPU spent delivering (start-up excluded): the parent asks before it stops the worker.
  const atReady = process.cpuUsage();
  process.on("message", (message) => {
    if (message === "cpu") process.send({ cpu: process.cpuUsage(atReady) });
    if (message === "exit") process.exit(0); // writes the --cpu-prof profile
  });
  process.send({ ready: true });
}

/** Redis commands run and Redis CPU seconds used so far (INFO commandstats and cpu). */
async function redisCounters(client) {
  const stats = await client.info("commandstats");
  let calls = 0;
  const byCommand = {};
  for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    byCommand[match[1]] = Number(match[2]);
    calls += Number(match[2]);
  }
  const cpu = await client.info("cpu");
  const seconds = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(cpu)?.[1] ?? 0);
  return { calls, byCommand, cpuSeconds: seconds("used_cpu_user") + seconds("used_cpu_sys") };
}

function stopGracefully(forked) {
  return new Promise((resolve) => {
    forked.once("exit", resolve);
    forked.send("exit");
  });
}

function workerCpuMs(forked) {
  return new Promise((resolve) => {
    forked.once("message", (message) => resolve((message.cpu.user + message.cpu.system) / 1000));
    forked.send("cpu");
  });
}

function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), "hooksec-delivery-bench-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  return {
    port,
    child,
    async ready() {
      for (let i = 0; i < 200; i++) {
        const ok = await new Promise((resolve) => {
          const socket = connect({ host: "127.0.0.1", port }, () => {
            socket.destroy();
            resolve(true);
          });
          socket.on("error", () => resolve(false));
        });
        if (ok) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error("redis-server did not start");
    },
    stop() {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function child(...argv) {
  const execArgv =
    PROFILE_DIR && argv[0] === "worker"
      ? [...process.execArgv, "--cpu-prof", "--cpu-prof-dir", PROFILE_DIR]
      : process.execArgv;
  const forked = fork(self, argv, { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv });
  const first = new Promise((resolve, reject) => {
    forked.once("message", resolve);
    forked.once("exit", (code) => reject(new Error(`${argv[0]} exited with ${code}`)));
  });
  return { forked, first };
}

async function main() {
  const { Queue } = await import("bullmq");
  const { createDelivery } = await import("@hooksec/delivery");
  const { Redis } = await import("ioredis");
  const redis = startRedis();
  await redis.ready();
  const stats = new Redis(connection(redis.port));
  const rx = child("receiver");
  const { port: receiverPort } = await rx.first;
  const url = `http://127.0.0.1:${receiverPort}/webhook`;
  const body = JSON.stringify({ type: "invoice.paid", data: { id: "inv_1", padding: "x".repeat(900) } });
  const results = [];
  let run = 0;

  async function measure(mode, workers) {
    const queueName = `bench-${mode}-${workers}-${++run}`;
    let queue;
    let delivery;
    if (mode === "hooksec") {
      delivery = createDelivery({
        connection: connection(redis.port),
        queueName,
        ssrf: { allowCidrs: ["127.0.0.0/8"], allowHttp: true },
      });
      await delivery.endpoints.create({ id: "bench", url, secret: SECRET });
      for (let i = 0; i < MESSAGES; i += 200) {
        await Promise.all(Array.from({ length: Math.min(200, MESSAGES - i) }, () => delivery.dispatch("bench", body)));
      }
      queue = delivery.queue;
    } else {
      queue = new Queue(queueName, { connection: connection(redis.port) });
      for (let i = 0; i < MESSAGES; i += 500) {
        await queue.addBulk(
          Array.from({ length: Math.min(500, MESSAGES - i) }, () => ({
            name: "post",
            data: { url, body },
            opts: { removeOnComplete: { age: 3600 } },
          })),
        );
      }
    }
    // Paused until every worker is ready: a worker that starts early must not drain jobs unmeasured.
    await queue.pause();
    const started = performance.now();
    const processes = Array.from({ length: workers }, () => child("worker", mode, String(redis.port), queueName));
    await Promise.all(processes.map((p) => p.first));
    // Time from the moment every worker is ready (start-up excluded) to an empty queue.
    const before = await redisCounters(stats);
    await queue.resume();
    const ready = performance.now();
    for (;;) {
      const counts = await queue.getJobCounts("completed", "failed");
      if (counts.completed + counts.failed >= MESSAGES) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - ready) / 1000;
    const after = await redisCounters(stats);
    const cpuMs = (await Promise.all(processes.map((p) => workerCpuMs(p.forked)))).reduce((sum, ms) => sum + ms, 0);
    if (PROFILE_DIR) await Promise.all(processes.map((p) => stopGracefully(p.forked)));
    else for (const p of processes) p.forked.kill("SIGKILL");
    await (delivery ? delivery.close() : queue.close());
    const rate = MESSAGES / seconds;
    // CPU per delivery (workers and Redis): on a machine other work loads, a steadier measure
    // than the rate; its inverse ratio is the rate ratio when the CPU is the bottleneck.
    const cpuPerDelivery = (cpuMs + (after.cpuSeconds - before.cpuSeconds) * 1000) / MESSAGES;
    results.push({ mode, workers, rate, cpuPerDelivery });
    // Per delivery: what the workers and Redis spend (the polling above adds a few Redis commands).
    const perDelivery = (value) => (value / MESSAGES).toFixed(2);
    const commands = Object.entries(after.byCommand)
      .map(([name, calls]) => [name, calls - (before.byCommand[name] ?? 0)])
      .filter(([, calls]) => calls / MESSAGES >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([name, calls]) => `${name} ${perDelivery(calls)}`)
      .join(", ");
    console.log(
      `${mode.padEnd(8)} ${workers} worker(s) x ${CONCURRENCY}: ${rate.toFixed(0).padStart(6)} deliveries/s (start-up ${((ready - started) / 1000).toFixed(1)} s)`,
    );
    console.log(
      `  per delivery: worker CPU ${perDelivery(cpuMs)} ms, Redis CPU ${perDelivery((after.cpuSeconds - before.cpuSeconds) * 1000)} ms, ` +
        `Redis commands ${perDelivery(after.calls - before.calls)} (${commands})`,
    );
    return rate;
  }

  try {
    for (const workers of WORKERS) {
      const floor = await measure("floor", workers);
      const sender = await measure("sender", workers);
      const hooksec = await measure("hooksec", workers);
      console.log(
        `  ratio hooksec/floor with ${workers}: ${(hooksec / floor).toFixed(2)}x (sender/floor ${(sender / floor).toFixed(2)}x, hooksec/sender ${(hooksec / sender).toFixed(2)}x)`,
      );
      const cpu = (mode) => results.find((r) => r.mode === mode && r.workers === workers)?.cpuPerDelivery ?? Number.NaN;
      console.log(
        `  by CPU per delivery: floor/hooksec ${(cpu("floor") / cpu("hooksec")).toFixed(2)}x (floor/sender ${(cpu("floor") / cpu("sender")).toFixed(2)}x, sender/hooksec ${(cpu("sender") / cpu("hooksec")).toFixed(2)}x)`,
      );
    }
    const one = results.find((r) => r.mode === "hooksec" && r.workers === 1);
    const two = results.find((r) => r.mode === "hooksec" && r.workers === 2);
    if (one && two) console.log(`scaling 1 -> 2 workers (hooksec): ${(two.rate / one.rate).toFixed(2)}x`);
  } finally {
    rx.forked.kill("SIGKILL");
    stats.disconnect();
    redis.stop();
  }
  process.exit(0);
}
