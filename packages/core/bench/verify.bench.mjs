// Issue 2 benchmark: from a `Request` in hand to a verified message.
//   hooksec          createVerifier(...).verify(request): body limit, header parsing, HMAC,
//                    constant-time compare, freshness, replay claim (in-memory store)
//   standardwebhooks the reference package: request.text() + Webhook.verify(text, headers)
//   floor            read the body, one node:crypto HMAC-SHA256, timingSafeEqual: the least any
//                    correct verifier must do
// plus the parts entry (bytes and header record in hand, no Request) against a bare HMAC.
// Each contender verifies its own batch of distinct, freshly signed messages (replay
// protection is on), contenders alternate, and the median of the rounds is reported.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createVerifier, standardWebhooks } from "@hooksec/core";
import { Webhook } from "standardwebhooks";

const SECRET = `whsec_${Buffer.from("bench-only-secret-not-used-anywhere").toString("base64")}`;
const KEY = Buffer.from(SECRET.slice(6), "base64");
const scheme = standardWebhooks({ secret: SECRET });
const reference = new Webhook(SECRET);
const sizes = [
  ["1 KB", 1024, 2000],
  ["64 KB", 64 * 1024, 400],
  ["1 MB", 1024 * 1024, 40],
];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function bodyOf(size) {
  const json = JSON.stringify({ type: "invoice.paid", data: "x".repeat(size) });
  return new TextEncoder().encode(`${json.slice(0, size - 2)}"}`);
}

let sequence = 0;
async function signedBatch(body, count) {
  const batch = [];
  for (let i = 0; i < count; i++) {
    const id = `msg_${++sequence}`;
    const headers = await scheme.sign({ id, timestamp: new Date(), body });
    batch.push({ id, headers, body });
  }
  return batch;
}

const toRequest = ({ headers, body }) =>
  new Request("https://receiver.test/webhooks", { method: "POST", headers, body });

const contenders = {
  async floor(request) {
    const body = new Uint8Array(await request.arrayBuffer());
    const id = request.headers.get("webhook-id");
    const timestamp = request.headers.get("webhook-timestamp");
    const signature = Buffer.from(request.headers.get("webhook-signature").slice(3), "base64");
    const mac = createHmac("sha256", KEY).update(`${id}.${timestamp}.`).update(body).digest();
    if (!timingSafeEqual(mac, signature)) throw new Error("floor: bad signature");
  },
  hooksec: null, // set per size (a fresh verifier, so its replay store starts empty)
  async standardwebhooks(request) {
    const text = await request.text();
    reference.verify(text, Object.fromEntries(request.headers));
  },
};

const partsContenders = {
  bareHmac(parts) {
    const signature = Buffer.from(parts.headers["webhook-signature"].slice(3), "base64");
    const mac = createHmac("sha256", KEY)
      .update(`${parts.headers["webhook-id"]}.${parts.headers["webhook-timestamp"]}.`)
      .update(parts.body)
      .digest();
    if (!timingSafeEqual(mac, signature)) throw new Error("bare: bad signature");
  },
  hooksecParts: null,
};

async function timeBatch(fn, items) {
  const start = process.hrtime.bigint();
  for (const item of items) await fn(item);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return items.length / seconds;
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0)).padStart(8);

console.log(`verify: ops/s (median of ${ROUNDS} rounds), node ${process.version}\n`);
console.log(
  "size    floor     hooksec   standardwebhooks  hooksec/floor  hooksec/standardwebhooks  floor/standardwebhooks",
);
const summary = [];
for (const [label, size, count] of sizes) {
  const body = bodyOf(size);
  const verifier = createVerifier({ scheme, maxBodyBytes: 2 * 1024 * 1024 });
  contenders.hooksec = (request) => verifier.verify(request);
  const results = { floor: [], hooksec: [], standardwebhooks: [] };
  // warm-up
  for (const name of Object.keys(results)) {
    const batch = (await signedBatch(body, Math.min(count, 200))).map(toRequest);
    await timeBatch(contenders[name], batch);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(results)) {
      const signed = await signedBatch(body, count);
      const batch = signed.map(toRequest);
      globalThis.gc?.();
      results[name].push(await timeBatch(contenders[name], batch));
    }
  }
  const floor = median(results.floor);
  const hooksec = median(results.hooksec);
  const standard = median(results.standardwebhooks);
  summary.push({
    label,
    ratioFloor: hooksec / floor,
    ratioStandard: hooksec / standard,
    floorStandard: floor / standard,
  });
  console.log(
    `${label.padEnd(6)}${fmt(floor)}  ${fmt(hooksec)}  ${fmt(standard)}          ${(hooksec / floor).toFixed(2)}x          ${(hooksec / standard).toFixed(1)}x                     ${(floor / standard).toFixed(1)}x`,
  );
}

console.log("\nparts entry (bytes and header record in hand, no Request): ops/s");
console.log("size    bare HMAC  hooksec.verifyParts  ratio");
for (const [label, size, count] of sizes) {
  const body = bodyOf(size);
  const verifier = createVerifier({ scheme, maxBodyBytes: 2 * 1024 * 1024 });
  partsContenders.hooksecParts = (parts) => verifier.verifyParts(parts);
  const results = { bareHmac: [], hooksecParts: [] };
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const name of Object.keys(results)) {
      const batch = (await signedBatch(body, count)).map(({ headers, body }) => ({
        method: "POST",
        url: "https://receiver.test/webhooks",
        headers,
        body,
      }));
      globalThis.gc?.();
      const opsPerSecond = await timeBatch(partsContenders[name], batch);
      if (round > 0) results[name].push(opsPerSecond); // round 0 warms up
    }
  }
  const bare = median(results.bareHmac);
  const parts = median(results.hooksecParts);
  console.log(`${label.padEnd(6)}${fmt(bare)}   ${fmt(parts)}             ${(parts / bare).toFixed(2)}x`);
}

console.log(
  "\ntargets: hooksec/floor >= 0.8x at 1 KB and >= 0.9x at 1 MB; hooksec/standardwebhooks >= 3x at 1 KB and >= 10x at 1 MB",
);
for (const { label, ratioFloor, ratioStandard, floorStandard } of summary) {
  console.log(
    `  ${label}: ${ratioFloor.toFixed(2)}x floor, ${ratioStandard.toFixed(1)}x standardwebhooks (the floor itself is ${floorStandard.toFixed(1)}x standardwebhooks)`,
  );
}
