// End to end through Koa on loopback, with autocannon: verified webhooks per
// second through `webhook()` against the same Koa app whose route only reads
// the raw body. Every request is a distinct, freshly signed 1 KB Standard
// Webhooks delivery (the replay store claims each one). Two more routes frame
// it: the floor (raw body + one node:crypto HMAC) and the adapter's own cost
// (the middleware with a verifier that accepts at once). The server runs in a
// child process so the load generator does not share its event loop; its CPU
// time per request is printed too, steadier than req/s on a busy machine.
// Imports the built dist: run `pnpm build` first.
import { fork } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import autocannon from "autocannon";
import Koa from "koa";
import { standardWebhooks, webhook } from "../dist/index.js";

const SECRET = `whsec_${Buffer.from("hooksec koa bench secret, 32 byte").toString("base64")}`;
const BODY_BYTES = 1024;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TITLE = "Koa";
const LABEL = "webhook() verified webhooks";
const TARGET = 0.9;

const KEY = Buffer.from(SECRET.slice("whsec_".length), "base64");

function floorVerify(headers, body) {
  const expected = createHmac("sha256", KEY).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.`).update(body).digest();
  const given = Buffer.from(String(headers["webhook-signature"]).slice(3), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

if (process.argv[2] === "serve") {
  const app = new Koa();
  const verify = webhook({ scheme: standardWebhooks({ secret: SECRET }) });
  // The adapter's own cost: the same middleware with a verifier that accepts at once.
  const accepted = { duplicate: false, id: "accepted", release: async () => {} };
  const adapterOnly = webhook({ maxBodyBytes: 1 << 20, verify: async () => accepted, verifyParts: async () => accepted });
  const readRaw = (req) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      req.on("data", (chunk) => chunks.push(chunk));
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });
  app.use(async (ctx, next) => {
    if (ctx.path === "/raw") {
      // The baseline: read the raw bytes, answer 204.
      await readRaw(ctx.req);
      ctx.status = 204;
      return;
    }
    if (ctx.path === "/floor") {
      // The floor of any verifying route: the raw bytes plus one HMAC and a constant-time compare.
      ctx.status = floorVerify(ctx.req.headers, await readRaw(ctx.req)) ? 204 : 401;
      return;
    }
    if (ctx.path === "/adapter") return adapterOnly(ctx, next);
    return verify(ctx, next);
  });
  app.use((ctx) => {
    if (ctx.state.webhook === undefined) throw new Error("not verified");
    ctx.status = 204;
  });
  const server = createServer(app.callback()).listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
  // The parent asks for the CPU time used, to report server time per request.
  process.on("message", () => process.send?.({ cpu: process.cpuUsage() }));
} else {
  const child = fork(new URL(import.meta.url).pathname, ["serve"], { stdio: "inherit" });
  const port = await new Promise((resolve) => child.once("message", (message) => resolve(message.port)));
  const payload = JSON.stringify({ type: "invoice.paid", data: "x".repeat(BODY_BYTES) }).slice(0, BODY_BYTES - 2);
  const body = `${payload}"}`;
  // Each request is a new message, signed here with node:crypto (Standard
  // Webhooks: HMAC-SHA256 over id.timestamp.body), the same work for both routes.
  let counter = 0;
  const nextMessage = () => {
    const id = `msg_${++counter}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac("sha256", KEY).update(`${id}.${timestamp}.${body}`).digest("base64");
    return {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": timestamp,
      "webhook-signature": `v1,${signature}`,
    };
  };
  const cpu = () =>
    new Promise((resolve) => {
      child.once("message", (message) => resolve(message.cpu.user + message.cpu.system));
      child.send("cpu");
    });
  const run = async (path, seconds) => {
    const before = await cpu();
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [
        {
          method: "POST",
          path,
          setupRequest: (request) => ({ ...request, headers: nextMessage(), body }),
        },
      ],
    });
    result.cpuPerRequest = ((await cpu()) - before) / result.requests.total;
    return result;
  };
  const routes = [
    ["raw", "/raw", "route that only reads the raw body"],
    ["floor", "/floor", "raw body + one node:crypto HMAC (floor)"],
    ["adapter", "/adapter", "webhook() with an instant verifier"],
    ["webhook", "/webhooks", LABEL],
  ];
  for (const [, path] of routes) await run(path, 1);
  // Alternating rounds; ratios within each round, then the median, so a machine
  // whose load drifts (other processes) skews every route alike.
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rates = {};
    for (const [name, path] of routes) {
      const result = await run(path, DURATION_SECONDS);
      if (result.non2xx > 0 || result.errors > 0) console.log(`  ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      rates[name] = result.requests.average;
      rates[`${name}Cpu`] = result.cpuPerRequest;
    }
    rounds.push(rates);
  }
  child.kill();
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`${TITLE}, ${BODY_BYTES} B bodies, ${CONNECTIONS} connections, median of ${ROUNDS} alternating ${DURATION_SECONDS}s rounds`);
  for (const [name, , label] of routes) {
    const rate = median(rounds.map((r) => r[name]));
    const ratio = median(rounds.map((r) => r[name] / r.raw));
    const serverCpu = median(rounds.map((r) => r[`${name}Cpu`]));
    const extra = name === "raw" ? "baseline" : `${ratio.toFixed(2)}x`;
    const target = name === "webhook" && TARGET !== undefined ? `  (target >= ${TARGET.toFixed(2)}x)` : "";
    console.log(`  ${label.padEnd(42)} ${rate.toFixed(0).padStart(7)} req/s  ${extra.padEnd(8)}  server CPU ${serverCpu.toFixed(0).padStart(4)} µs/request${target}`);
  }
}
