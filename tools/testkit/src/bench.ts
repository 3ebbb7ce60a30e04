// The adapters' end-to-end benchmark, with autocannon on loopback: verified
// webhooks per second through the adapter against a route of the same server
// that only reads the raw body. Every request is a distinct, freshly signed
// 1 KB Standard Webhooks delivery (the replay store claims each one). Two more
// routes frame it: the floor (raw body + one node:crypto HMAC) and the
// adapter's own cost (the adapter with a verifier that accepts at once). The
// server runs in a child process (the bench file forked with `serve`) so the
// load generator does not share its event loop; its CPU time per request is
// printed too, steadier than req/s on a busy machine.
import { fork } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { createRequire } from "node:module";
import { standardWebhooksHeaders } from "./client.js";

const BODY_BYTES = 1024;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** The secret every route verifies with. */
export const BENCH_SECRET = `whsec_${Buffer.from("hooksec adapter bench secret, 33").toString("base64")}`;

/** A verified webhook as an instant receiver hands it over. */
const accepted = {
  duplicate: false,
  id: "accepted",
  tenant: undefined,
  body: new Uint8Array(0),
  complete: async () => true,
  release: async () => {},
};

/** Reads whatever body source the adapter passed (a Request, parts holding one, a stream, bytes), as the raw route does. */
async function drain(input: unknown): Promise<void> {
  const source = input as { body?: unknown; arrayBuffer?: () => Promise<ArrayBuffer> } | undefined;
  if (typeof source?.arrayBuffer === "function") {
    await source.arrayBuffer();
    return;
  }
  const body = source?.body;
  if (body === undefined || body === null || body instanceof Uint8Array) return;
  if (typeof (body as { arrayBuffer?: unknown }).arrayBuffer === "function") return drain(body);
  for await (const _chunk of body as AsyncIterable<unknown>) {
    // read and drop
  }
}

/**
 * A receiver that reads the body and accepts at once: the adapter's own cost
 * (its conversions), without any verification or replay state.
 */
export const instantReceiver = {
  maxBodyBytes: 1 << 20,
  verifier: { maxBodyBytes: 1 << 20, verify: async () => accepted, verifyParts: async () => accepted },
  async admit(input: { body?: unknown }) {
    await drain(input);
    return { admitted: true as const, webhook: accepted, finish: async () => {} };
  },
  async receive<R>(input: { body?: unknown }, handler: (webhook: typeof accepted) => R | Promise<R>) {
    await drain(input);
    return { handled: true as const, webhook: accepted, result: await handler(accepted) };
  },
};

const KEY = Buffer.from(BENCH_SECRET.slice("whsec_".length), "base64");

/** The floor of any verifying route: one HMAC over the raw bytes and a constant-time compare. */
export function floorVerify(headers: IncomingHttpHeaders | Record<string, string>, body: Uint8Array): boolean {
  const expected = createHmac("sha256", KEY)
    .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.`)
    .update(body)
    .digest();
  const given = Buffer.from(String(headers["webhook-signature"]).slice(3), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The raw bytes of a Node request. */
export function readRaw(req: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export interface AdapterBenchOptions {
  /** "Koa": the heading. */
  readonly title: string;
  /** The verified route's label: "webhook() verified webhooks". */
  readonly label: string;
  /** The instant-verifier route's label: "webhook() with an instant verifier". */
  readonly adapterLabel: string;
  /** The ratio the verified route should reach against the raw route, printed next to it. */
  readonly target?: number;
  /**
   * Starts the server in the child process, on 127.0.0.1 and any free port,
   * with four POST routes answering 204: `/raw` (reads the body), `/floor`
   * (`floorVerify`, else 401), `/adapter` (the adapter with `instantReceiver`)
   * and `/webhooks` (the adapter verifying `BENCH_SECRET`). Resolves to the port.
   */
  serve(): Promise<number>;
}

interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly non2xx: number;
  readonly errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
type Rates = Record<string, number>;

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Run from the bench file: forks it as the server (`serve`), loads each route in alternating rounds, prints the medians. */
export async function runAdapterBench(options: AdapterBenchOptions): Promise<void> {
  if (process.argv[2] === "serve") {
    const port = await options.serve();
    process.send?.({ port });
    // The parent asks for the CPU time used, to report server time per request.
    process.on("message", () => process.send?.({ cpu: process.cpuUsage() }));
    return;
  }
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
  const script = process.argv[1];
  if (script === undefined) throw new Error("run the bench file with node");
  const child = fork(script, ["serve"], { stdio: "inherit" });
  const port = await new Promise<number>((resolve) =>
    child.once("message", (message: { port: number }) => resolve(message.port)),
  );
  const payload = JSON.stringify({ type: "invoice.paid", data: "x".repeat(BODY_BYTES) }).slice(0, BODY_BYTES - 2);
  const body = `${payload}"}`;
  // Each request is a new message, signed here with node:crypto, the same work for every route.
  let counter = 0;
  const nextMessage = () => ({
    "content-type": "application/json",
    ...standardWebhooksHeaders(BENCH_SECRET, { id: `msg_${++counter}`, timestamp: new Date(), body }),
  });
  const cpu = () =>
    new Promise<number>((resolve) => {
      child.once("message", (message: { cpu: NodeJS.CpuUsage }) => resolve(message.cpu.user + message.cpu.system));
      child.send("cpu");
    });
  const run = async (path: string, seconds: number) => {
    const before = await cpu();
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [
        { method: "POST", path, setupRequest: (request: object) => ({ ...request, headers: nextMessage(), body }) },
      ],
    });
    return { result, cpuPerRequest: ((await cpu()) - before) / result.requests.total };
  };
  const routes = [
    ["raw", "/raw", "route that only reads the raw body"],
    ["floor", "/floor", "raw body + one node:crypto HMAC (floor)"],
    ["adapter", "/adapter", options.adapterLabel],
    ["webhook", "/webhooks", options.label],
  ] as const;
  for (const [, path] of routes) await run(path, 1);
  // Alternating rounds; ratios within each round, then the median, so a machine
  // whose load drifts (other processes) skews every route alike.
  const rounds: Rates[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rates: Rates = {};
    for (const [name, path] of routes) {
      const { result, cpuPerRequest } = await run(path, DURATION_SECONDS);
      if (result.non2xx > 0 || result.errors > 0)
        console.log(`  ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      rates[name] = result.requests.average;
      rates[`${name}Cpu`] = cpuPerRequest;
    }
    rounds.push(rates);
  }
  child.kill();
  const of = (rates: Rates, key: string) => rates[key] ?? Number.NaN;
  console.log(
    `${options.title}, ${BODY_BYTES} B bodies, ${CONNECTIONS} connections, median of ${ROUNDS} alternating ${DURATION_SECONDS}s rounds`,
  );
  for (const [name, , label] of routes) {
    const rate = median(rounds.map((r) => of(r, name)));
    const ratio = median(rounds.map((r) => of(r, name) / of(r, "raw")));
    const serverCpu = median(rounds.map((r) => of(r, `${name}Cpu`)));
    const extra = name === "raw" ? "baseline" : `${ratio.toFixed(2)}x`;
    const target =
      name === "webhook" && options.target !== undefined ? `  (target >= ${options.target.toFixed(2)}x)` : "";
    console.log(
      `  ${label.padEnd(42)} ${rate.toFixed(0).padStart(7)} req/s  ${extra.padEnd(8)}  server CPU ${serverCpu.toFixed(0).padStart(4)} µs/request${target}`,
    );
  }
}
