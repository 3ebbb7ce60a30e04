import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { standardWebhooks } from "@hooksec/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, type TestClient } from "./support/clients.js";
import { eventually, type RedisServer, skipWithoutRedis, sleep, startRedisServer } from "./support/redis-server.js";

// Two receiver processes (one on ioredis, one on node-redis) behind one Redis,
// as two instances behind a load balancer.

const secret = `whsec_${Buffer.from("hooksec multi-instance secret 32").toString("base64")}`;
const scheme = standardWebhooks({ secret });
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const receiverScript = fileURLToPath(new URL("./fixtures/receiver.ts", import.meta.url));

interface Receiver {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
}

interface Answer {
  readonly status: number;
  readonly receiver: string;
  readonly outcome?: "processed" | "duplicate" | "failed";
  readonly error?: { code: string };
}

const children: ChildProcess[] = [];

async function startReceiver(name: string, client: string, redisPort: number): Promise<Receiver> {
  // Sources through tsx and the "hooksec-source" condition: no build needed.
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=hooksec-source", receiverScript], {
    cwd: packageDir,
    // A generous store timeout: on a loaded CI machine a slow reply must not look like an outage.
    env: { ...process.env, REDIS_PORT: String(redisPort), CLIENT: client, SECRET: secret, NAME: name, TIMEOUT_MS: "1500" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`receiver ${name} did not start:\n${output}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((text) => text.startsWith("{"));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`receiver ${name} exited with ${code}:\n${output}`));
    });
  });
  return { name, url: `http://127.0.0.1:${port}`, child };
}

async function deliver(receiver: Receiver, message: { id: string; timestamp: Date; body: string }): Promise<Answer> {
  const headers = await scheme.sign(message);
  const response = await fetch(`${receiver.url}/webhook`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: message.body,
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, "status">) };
}

async function processedIds(receivers: readonly Receiver[]): Promise<string[]> {
  const lists = await Promise.all(
    receivers.map(async (receiver) => ((await (await fetch(`${receiver.url}/processed`)).json()) as { processed: string[] }).processed),
  );
  return lists.flat();
}

function count(ids: readonly string[], id: string): number {
  return ids.filter((each) => each === id).length;
}

function message(id: string) {
  return { id, timestamp: new Date(), body: JSON.stringify({ type: "invoice.paid", id }) };
}

describe.skipIf(skipWithoutRedis)("two receiver processes sharing one Redis", () => {
  let server: RedisServer;
  let redis: TestClient;
  let receivers: Receiver[] = [];

  beforeAll(async () => {
    // Claims survive a Redis restart (append-only file), as they should in production.
    server = await startRedisServer({ persistent: true });
    redis = await connectClient("ioredis", server.port);
    receivers = await Promise.all([
      startReceiver("a", "ioredis", server.port),
      startReceiver("b", "node-redis", server.port),
    ]);
  }, 90_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    redis?.close();
    await server?.dispose();
  });

  it("50 concurrent deliveries of one message over both processes: exactly one is processed", async () => {
    const delivery = message("msg_concurrent");
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => deliver(receivers[i % 2] as Receiver, delivery)),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => answer.outcome === "processed")).toHaveLength(1);
    expect(answers.filter((answer) => answer.outcome === "duplicate")).toHaveLength(49);
    // Both processes answered, and their own records agree.
    expect(new Set(answers.map((answer) => answer.receiver))).toEqual(new Set(["a", "b"]));
    expect(count(await processedIds(receivers), "msg_concurrent")).toBe(1);
  });

  it("a handler failure releases the claim: the retry, on the other process, is processed once", async () => {
    const delivery = message("msg_handler_fails");
    const [first, second] = receivers as [Receiver, Receiver];
    await fetch(`${first.url}/fail-next`, { method: "POST" });
    const failed = await deliver(first, delivery);
    expect(failed).toMatchObject({ status: 500, outcome: "failed" });
    expect(await redis.get("hooksec:replay:standard-webhooks::msg_handler_fails")).toBeNull();

    const retries = await Promise.all([deliver(second, delivery), deliver(first, delivery), deliver(second, delivery)]);
    expect(retries.filter((answer) => answer.outcome === "processed")).toHaveLength(1);
    expect(retries.filter((answer) => answer.outcome === "duplicate")).toHaveLength(2);
    expect(count(await processedIds(receivers), "msg_handler_fails")).toBe(1);
  });

  it("Redis stopped mid-run: no duplicate is processed, refusals are 503 replay_store_unavailable, and it recovers", async () => {
    const answers = new Map<string, Answer[]>();
    const sent: Array<ReturnType<typeof message>> = [];
    // Each message is delivered three times at once, spread over both processes.
    async function wave(index: number): Promise<void> {
      const delivery = message(`msg_run_${index}`);
      sent.push(delivery);
      const results = await Promise.all([0, 1, 2].map((copy) => deliver(receivers[(index + copy) % 2] as Receiver, delivery)));
      answers.set(delivery.id, [...(answers.get(delivery.id) ?? []), ...results]);
    }

    let index = 0;
    for (; index < 10; index++) await wave(index);
    // Stop Redis while waves are in flight (a crash: SIGKILL).
    const inFlight = Promise.all([wave(index++), wave(index++), wave(index++)]);
    await server.stop("SIGKILL");
    await inFlight;
    for (const stop = index + 5; index < stop; index++) await wave(index);
    const refusedWhileDown = [...answers.values()].flat().filter((answer) => answer.status !== 200);
    expect(refusedWhileDown.length).toBeGreaterThanOrEqual(15);

    // Redis is back on the same port; the receivers were not restarted.
    await server.start();
    let recovered = false;
    for (const deadline = Date.now() + 20_000; !recovered && Date.now() < deadline; index++) {
      await wave(index);
      const latest = answers.get(`msg_run_${index}`) ?? [];
      recovered = latest.every((answer) => answer.status === 200) && new Set(latest.map((a) => a.receiver)).size === 2;
      if (!recovered) await sleep(100);
    }
    expect(recovered).toBe(true);
    // A claim whose reply was lost in the crash is handed back within about a
    // second of Redis answering again (the stores retry at most every second).
    await sleep(1500);

    // The sender retries whatever was refused, to both processes at once, until it is accepted.
    for (const delivery of sent) {
      const accepted = async () => {
        const results = await Promise.all(receivers.map((receiver) => deliver(receiver, delivery)));
        answers.set(delivery.id, [...(answers.get(delivery.id) ?? []), ...results]);
        return results.some((answer) => answer.status === 200);
      };
      if ((answers.get(delivery.id) ?? []).some((answer) => answer.outcome === "processed")) {
        // Claims made before the crash survived it: a re-delivery is a duplicate.
        const again = await Promise.all(receivers.map((receiver) => deliver(receiver, delivery)));
        expect(again.map((answer) => answer.outcome)).toEqual(["duplicate", "duplicate"]);
        continue;
      }
      expect(await eventually(accepted, 10_000)).toBe(true);
    }

    const all = [...answers.values()].flat();
    // Every refusal was the documented one.
    for (const answer of all.filter((a) => a.status !== 200)) {
      expect(answer).toMatchObject({ status: 503, error: { code: "replay_store_unavailable" } });
    }
    // Each message processed exactly once across both processes, by their own records.
    const processed = await processedIds(receivers);
    for (const delivery of sent) expect([delivery.id, count(processed, delivery.id)]).toEqual([delivery.id, 1]);
    expect(processed.filter((id) => id.startsWith("msg_run_"))).toHaveLength(sent.length);
  });
});
