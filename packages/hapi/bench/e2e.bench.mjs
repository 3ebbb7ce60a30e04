// End to end through Hapi on loopback, with autocannon: verified webhooks per
// second through the `webhook` auth scheme against the same Hapi server's route
// that only reads the raw body (payload { parse: false, output: "data" }). Every request is a distinct, freshly signed 1 KB Standard
// Webhooks delivery (the replay store claims each one). The server runs in a
// child process so the load generator does not share its event loop.
// Imports the built dist: run `pnpm build` first.
import { fork } from "node:child_process";
import { createHmac } from "node:crypto";
import autocannon from "autocannon";
import Hapi from "@hapi/hapi";
import { getWebhook, plugin, rawPayload, standardWebhooks } from "../dist/index.js";

const SECRET = `whsec_${Buffer.from("hooksec hapi bench secret, 32 byt").toString("base64")}`;
const BODY_BYTES = 1024;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

if (process.argv[2] === "serve") {
  const server = Hapi.server({ port: 0, host: "127.0.0.1" });
  await server.register(plugin);
  server.auth.strategy("webhooks", "webhook", { scheme: standardWebhooks({ secret: SECRET }) });
  const payload = { ...rawPayload, maxBytes: 1_048_576 };
  // The baseline: Hapi reads the raw bytes, the handler answers 204.
  server.route({ method: "POST", path: "/raw", options: { payload }, handler: (_request, h) => h.response().code(204) });
  server.route({
    method: "POST",
    path: "/webhooks",
    options: { auth: "webhooks", payload },
    handler: (request, h) => {
      getWebhook(request);
      return h.response().code(204);
    },
  });
  await server.start();
  process.send?.({ port: server.info.port });
} else {
  const child = fork(new URL(import.meta.url).pathname, ["serve"], { stdio: "inherit" });
  const port = await new Promise((resolve) => child.once("message", (message) => resolve(message.port)));
  const payload = JSON.stringify({ type: "invoice.paid", data: "x".repeat(BODY_BYTES) }).slice(0, BODY_BYTES - 2);
  const body = `${payload}"}`;
  // Each request is a new message, signed here with node:crypto (Standard
  // Webhooks: HMAC-SHA256 over id.timestamp.body), the same work for both routes.
  const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
  let counter = 0;
  const nextMessage = () => {
    const id = `msg_${++counter}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
    return {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": timestamp,
      "webhook-signature": `v1,${signature}`,
    };
  };
  const run = (path, seconds) =>
    autocannon({
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
  await run("/raw", 1);
  await run("/webhooks", 1);
  // Alternating rounds; the ratio of each adjacent pair, then the median, so a
  // machine whose load drifts (other processes) skews both sides alike.
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const raw = await run("/raw", DURATION_SECONDS);
    const verified = await run("/webhooks", DURATION_SECONDS);
    for (const [name, result] of [["raw", raw], ["webhook", verified]]) {
      if (result.non2xx > 0 || result.errors > 0) console.log(`  ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
    rounds.push({ raw: raw.requests.average, webhook: verified.requests.average });
  }
  child.kill();
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const raw = median(rounds.map((r) => r.raw));
  const verified = median(rounds.map((r) => r.webhook));
  const ratio = median(rounds.map((r) => r.webhook / r.raw));
  console.log(`Hapi, ${BODY_BYTES} B bodies, ${CONNECTIONS} connections, median of ${ROUNDS} alternating ${DURATION_SECONDS}s rounds`);
  console.log(`  route that only reads the raw body  ${raw.toFixed(0).padStart(7)} req/s  (baseline)`);
  console.log(`  webhook auth scheme, verified       ${verified.toFixed(0).padStart(7)} req/s  ${ratio.toFixed(2)}x, +${((1 / verified - 1 / raw) * 1e6).toFixed(0)} µs/request  (target >= 0.90x)`);
}
