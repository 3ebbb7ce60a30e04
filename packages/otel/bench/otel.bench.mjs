// Verified webhooks per second through the receive lifecycle, in process (no HTTP):
// createReceiver's receive() with no onEvent, against the same with @hooksec/otel's
// onEvent recording metrics into the OpenTelemetry SDK (a MeterProvider with a reader,
// as a Prometheus or OTLP setup has). Every delivery is a distinct, pre-signed 1 KB
// Standard Webhooks message, so the replay store claims and completes each one.
// Variants run interleaved, round after round, and the medians are compared.
// Imports the built dist: run `pnpm build` first (`pnpm bench otel` does).
import { createReceiver, standardWebhooks } from "@hooksec/core";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createWebhookTelemetry } from "../dist/index.js";

const BODY_BYTES = 1024;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONCURRENCY = 32;
const TARGET = 0.9;
const SECRET = `whsec_${Buffer.from("hooksec otel bench secret, 32 by").toString("base64")}`;
const scheme = standardWebhooks({ secret: SECRET });

class OnDemandReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}
const reader = new OnDemandReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const metricsOnly = createWebhookTelemetry({ meterProvider, traces: false });
// Spans too, every one sampled and handed to a processor whose exporter drops them.
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} })],
});
const withTraces = createWebhookTelemetry({ meterProvider, tracerProvider });

const variants = [
  { name: "no onEvent", onEvent: undefined },
  { name: "empty onEvent", onEvent: () => {} },
  { name: "@hooksec/otel metrics", onEvent: metricsOnly.onEvent },
  { name: "@hooksec/otel metrics + traces (info)", onEvent: withTraces.onEvent },
];

const payload = JSON.stringify({ type: "invoice.paid", data: "x".repeat(BODY_BYTES) })
  .slice(0, BODY_BYTES - 2)
  .concat('"}');
const body = new TextEncoder().encode(payload.length === BODY_BYTES ? payload : payload.padEnd(BODY_BYTES));
let sequence = 0;
async function signBatch() {
  const now = new Date();
  const batch = [];
  for (let i = 0; i < MESSAGES; i++) {
    const id = `msg_${++sequence}`;
    batch.push({
      method: "POST",
      url: "https://bench.test/webhooks",
      headers: await scheme.sign({ id, timestamp: now, body }),
      body,
    });
  }
  return batch;
}

const ok = { status: 204 };
async function run(onEvent, batch) {
  const receiver = createReceiver({ scheme, onEvent });
  let next = 0;
  // CPU time, not wall time: steadier on a machine other work shares.
  const started = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batch.length) {
        const outcome = await receiver.receive(batch[next++], () => ok);
        if (!outcome.handled) throw new Error(`not verified: ${outcome.response.status}`);
      }
    }),
  );
  const used = process.cpuUsage(started);
  return batch.length / ((used.user + used.system) / 1e6);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rates = variants.map(() => []);
// Warm-up round, not counted.
for (const variant of variants) await run(variant.onEvent, await signBatch());
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, variant] of variants.entries()) {
    const batch = await signBatch();
    globalThis.gc?.();
    rates[index].push(await run(variant.onEvent, batch));
  }
}
await reader.collect();

const baseline = median(rates[0]);
console.log(
  `@hooksec/otel: verified webhooks per CPU second in process, ${BODY_BYTES} B bodies, ${MESSAGES} per round, median of ${ROUNDS} rounds`,
);
for (const [index, variant] of variants.entries()) {
  const rate = median(rates[index]);
  console.log(
    `  ${variant.name.padEnd(40)} ${Math.round(rate).toString().padStart(7)}/s  ${(rate / baseline).toFixed(2)}x`,
  );
}
const ratio = median(rates[variants.findIndex((variant) => variant.name === "@hooksec/otel metrics")]) / baseline;
console.log(
  `metrics path: ${ratio.toFixed(2)}x of no onEvent (target >= ${TARGET}x): ${ratio >= TARGET ? "ok" : "BELOW TARGET"}`,
);
