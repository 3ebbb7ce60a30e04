// End to end on loopback, with autocannon: verified webhooks per second through
// a `withWebhook()` route handler against a route handler that only reads the
// raw body (`await request.arrayBuffer()`). Both are served the way the Next.js
// Node.js runtime serves App Router handlers: Node's request turned into a Web
// `Request`, the `Response` written back. Every request is a distinct, freshly signed 1 KB Standard
// Webhooks delivery (the replay store claims each one). The server runs in a
// child process so the load generator does not share its event loop.
// Imports the built dist: run `pnpm build` first.
import { fork } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import autocannon from "autocannon";
import { Readable } from "node:stream";
import { standardWebhooks, withWebhook } from "../dist/index.js";

const SECRET = `whsec_${Buffer.from("hooksec next bench secret, 32 byt").toString("base64")}`;
const BODY_BYTES = 1024;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

if (process.argv[2] === "serve") {
  const routes = {
    "/raw": async (request) => {
      await request.arrayBuffer();
      return new Response(null, { status: 204 });
    },
    "/webhooks": withWebhook({ scheme: standardWebhooks({ secret: SECRET }) }, () => new Response(null, { status: 204 })),
  };
  const server = createServer(async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: Readable.toWeb(req), duplex: "half" });
    const response = await routes[req.url](request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
  });
  server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
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
  console.log(`Next.js route handlers (Node.js runtime conversion), ${BODY_BYTES} B bodies, ${CONNECTIONS} connections, median of ${ROUNDS} alternating ${DURATION_SECONDS}s rounds`);
  console.log(`  route that only reads the raw body  ${raw.toFixed(0).padStart(7)} req/s  (baseline)`);
  console.log(`  withWebhook() verified webhooks     ${verified.toFixed(0).padStart(7)} req/s  ${ratio.toFixed(2)}x, +${((1 / verified - 1 / raw) * 1e6).toFixed(0)} µs/request  `);
}
