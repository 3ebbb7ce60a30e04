// Issue 7 benchmark: what the sender's security costs per delivery.
//   floor    one node:crypto HMAC-SHA256 over id.timestamp.body and an undici request() over a
//            keep-alive agent: the least any signing sender must do to POST a webhook
//   hooksec  createSender(...).send(): message id, fresh HMAC signature per attempt,
//            SSRF check of the endpoint, pinned undici transport, result
// both against the same loopback HTTP server, sequentially; plus classifyAddress against a
// bare ipaddr.js parse + range(). Median of the rounds; ratios, no absolute claims.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { createSender, standardWebhooks } from "@hooksec/core";
import { classifyAddress } from "@hooksec/core/sender";
import ipaddr from "ipaddr.js";
import { Agent, request } from "undici";

const SECRET = `whsec_${Buffer.from("bench-only-secret-not-used-anywhere").toString("base64")}`;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const DELIVERIES = 400;
const body = JSON.stringify({ type: "invoice.paid", data: "x".repeat(1000) });

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(204).end());
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/hook`;

const scheme = standardWebhooks({ secret: SECRET });
const KEY = Buffer.from(SECRET.slice(6), "base64");
const agent = new Agent();
const sender = createSender({ scheme, ssrf: { allowHttp: true, allowCidrs: ["127.0.0.0/8"] } });

const contenders = {
  async floor() {
    for (let i = 0; i < DELIVERIES; i++) {
      const id = `msg_${i}`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const mac = createHmac("sha256", KEY).update(`${id}.${timestamp}.`).update(body).digest("base64");
      const headers = {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": timestamp,
        "webhook-signature": `v1,${mac}`,
      };
      const response = await request(url, { dispatcher: agent, method: "POST", headers, body });
      await response.body.dump();
      if (response.statusCode !== 204) throw new Error("floor: unexpected status");
    }
  },
  async hooksec() {
    for (let i = 0; i < DELIVERIES; i++) {
      const result = await sender.send({ url }, body);
      if (result.status !== "delivered") throw new Error("hooksec: not delivered");
    }
  },
};

const addresses = [
  "8.8.8.8",
  "10.1.2.3",
  "169.254.169.254",
  "2606:4700::1111",
  "::ffff:127.0.0.1",
  "64:ff9b::a00:1",
  "fe80::1",
  "203.0.113.9",
];
const CLASSIFICATIONS = 20_000;
const classifiers = {
  ipaddrRange() {
    for (let i = 0; i < CLASSIFICATIONS; i++) ipaddr.parse(addresses[i % addresses.length]).range();
  },
  classifyAddress() {
    for (let i = 0; i < CLASSIFICATIONS; i++) classifyAddress(addresses[i % addresses.length]);
  },
};

async function measure(set) {
  const times = Object.fromEntries(Object.keys(set).map((name) => [name, []]));
  for (const run of Object.values(set)) await run(); // warm up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(set)) {
      globalThis.gc?.();
      const start = process.hrtime.bigint();
      await run();
      times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
}

const delivery = await measure(contenders);
console.log(`sequential loopback deliveries (${DELIVERIES} per round, median of ${ROUNDS})`);
console.log(`  floor    ${(delivery.floor / DELIVERIES).toFixed(3)} ms/delivery  1.00x`);
console.log(
  `  hooksec  ${(delivery.hooksec / DELIVERIES).toFixed(3)} ms/delivery  ${(delivery.hooksec / delivery.floor).toFixed(2)}x the floor`,
);

const classify = await measure(classifiers);
console.log(`address classification (${CLASSIFICATIONS} per round)`);
console.log(`  ipaddr.js parse + range()  1.00x`);
console.log(`  classifyAddress            ${(classify.classifyAddress / classify.ipaddrRange).toFixed(2)}x`);

await sender.close();
await agent.close();
server.close();
