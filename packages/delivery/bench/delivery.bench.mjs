// `pnpm bench delivery`: deliveries per second to a loopback receiver with 1, 2 and 4
// worker processes (concurrency 16 each), against the engine's floor: the same BullMQ
// queue and workers running a job that makes one plain HTTP POST (no signing, no log,
// no circuit). Jobs are queued first, then the workers drain them; the time to drain
// is measured. Runs against the built package (dist).
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
  } else {
    const { Agent, request } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const post = (url, body) =>
      new Promise((resolve, reject) => {
        const outgoing = request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (response) => {
          response.resume();
          response.on("end", resolve);
        });
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    const w = new Worker(
      queueName,
      (job) => post(job.data.url, job.data.body),
      { connection: { ...connection(Number(redisPort)), maxRetriesPerRequest: null }, concurrency: CONCURRENCY },
    );
    await w.waitUntilReady();
  }
  process.send({ ready: true });
}

function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), "hooksec-delivery-bench-"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
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
  const forked = fork(self, argv, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const first = new Promise((resolve, reject) => {
    forked.once("message", resolve);
    forked.once("exit", (code) => reject(new Error(`${argv[0]} exited with ${code}`)));
  });
  return { forked, first };
}

async function main() {
  const { Queue } = await import("bullmq");
  const { createDelivery } = await import("@hooksec/delivery");
  const redis = startRedis();
  await redis.ready();
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
      delivery = createDelivery({ connection: connection(redis.port), queueName, ssrf: { allowCidrs: ["127.0.0.0/8"], allowHttp: true } });
      await delivery.endpoints.create({ id: "bench", url, secret: SECRET });
      for (let i = 0; i < MESSAGES; i += 200) {
        await Promise.all(Array.from({ length: Math.min(200, MESSAGES - i) }, () => delivery.dispatch("bench", body)));
      }
      queue = delivery.queue;
    } else {
      queue = new Queue(queueName, { connection: connection(redis.port) });
      for (let i = 0; i < MESSAGES; i += 500) {
        await queue.addBulk(Array.from({ length: Math.min(500, MESSAGES - i) }, () => ({ name: "post", data: { url, body }, opts: { removeOnComplete: { age: 3600 } } })));
      }
    }
    const started = performance.now();
    const processes = Array.from({ length: workers }, () => child("worker", mode, String(redis.port), queueName));
    await Promise.all(processes.map((p) => p.first));
    // Time from the moment every worker is ready (start-up excluded) to an empty queue.
    const ready = performance.now();
    for (;;) {
      const counts = await queue.getJobCounts("completed", "failed");
      if (counts.completed + counts.failed >= MESSAGES) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - ready) / 1000;
    for (const p of processes) p.forked.kill("SIGKILL");
    await (delivery ? delivery.close() : queue.close());
    const rate = MESSAGES / seconds;
    results.push({ mode, workers, rate });
    console.log(`${mode.padEnd(8)} ${workers} worker(s) x ${CONCURRENCY}: ${rate.toFixed(0).padStart(6)} deliveries/s (start-up ${((ready - started) / 1000).toFixed(1)} s)`);
    return rate;
  }

  try {
    for (const workers of WORKERS) {
      const floor = await measure("floor", workers);
      const hooksec = await measure("hooksec", workers);
      console.log(`  ratio hooksec/floor with ${workers}: ${(hooksec / floor).toFixed(2)}x`);
    }
    const one = results.find((r) => r.mode === "hooksec" && r.workers === 1);
    const two = results.find((r) => r.mode === "hooksec" && r.workers === 2);
    if (one && two) console.log(`scaling 1 -> 2 workers (hooksec): ${(two.rate / one.rate).toFixed(2)}x`);
  } finally {
    rx.forked.kill("SIGKILL");
    redis.stop();
  }
  process.exit(0);
}
