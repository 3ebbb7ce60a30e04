import { held } from "./support/entries.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, type TestClient } from "./support/clients.js";
import { eventually, type RedisServer, redisAvailable, sleep, startRedisServer } from "./support/redis-server.js";
import {
  type Answer,
  children,
  count,
  deliver,
  idsOf,
  message,
  processedIds,
  type Receiver,
  startReceiver,
} from "./support/receivers.js";

// Two receiver processes (one on ioredis, one on node-redis) behind one Redis,
// as two instances behind a load balancer.

/**
 * A sender: delivers to the receivers in turn until one answers 2xx, waiting
 * between attempts (a 409's Retry-After, shortened to keep the test quick).
 * Returns every answer, the 2xx last.
 */
async function sendUntilDelivered(
  receivers: readonly Receiver[],
  delivery: ReturnType<typeof message>,
  timeoutMs = 20_000,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const receiver = receivers[attempt % receivers.length] as Receiver;
    let answer: Answer;
    try {
      answer = await deliver(receiver, delivery);
    } catch {
      // The receiver is gone (killed): the balancer's next pick.
      await sleep(50);
      continue;
    }
    answers.push(answer);
    if (answer.status >= 200 && answer.status < 300) return answers;
    await sleep(answer.status === 409 ? 200 : 100);
  }
  throw new Error(`${delivery.id} was not delivered: ${JSON.stringify(answers)}`);
}

describe.runIf(redisAvailable)("two receiver processes sharing one Redis", () => {
  let server: RedisServer;
  let redis: TestClient;
  let receivers: Receiver[] = [];

  beforeAll(async () => {
    // Message states survive a Redis restart (append-only file), as they should in production.
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

  it("50 concurrent deliveries of one message over both processes: exactly one is processed, no 2xx before it was", async () => {
    const delivery = message("msg_concurrent");
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => deliver(receivers[i % 2] as Receiver, delivery, { delayMs: 300 })),
    );
    expect(answers.filter((answer) => answer.outcome === "processed")).toHaveLength(1);
    // The others came while it was processed (409 with Retry-After), or after (200 duplicate).
    for (const answer of answers.filter((a) => a.outcome !== "processed")) {
      if (answer.status === 409) {
        expect(answer).toMatchObject({ outcome: "in_progress", error: { code: "message_in_progress" } });
        expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      } else {
        expect(answer).toMatchObject({ status: 200, outcome: "duplicate" });
      }
    }
    expect(answers.filter((answer) => answer.status === 409).length).toBeGreaterThan(0);
    // Both processes answered, and their own records agree.
    expect(new Set(answers.map((answer) => answer.receiver))).toEqual(new Set(["a", "b"]));
    expect(count(await processedIds(receivers), "msg_concurrent")).toBe(1);
    // Processing finished: every delivery now is a duplicate.
    expect((await Promise.all(receivers.map((receiver) => deliver(receiver, delivery)))).map((a) => a.outcome)).toEqual(
      ["duplicate", "duplicate"],
    );
  });

  it("a handler failure releases the message: the retry, on the other process, is processed once", async () => {
    const delivery = message("msg_handler_fails");
    const [first, second] = receivers as [Receiver, Receiver];
    await fetch(`${first.url}/fail-next`, { method: "POST" });
    const failed = await deliver(first, delivery);
    expect(failed).toMatchObject({ status: 500, outcome: "failed" });
    // (the key the core builds: namespace = the path, the scheme, no tenant, the id)
    expect(await held(redis, "8:/webhook:standard-webhooks::msg_handler_fails")).toBeNull();

    const retries = await Promise.all([
      deliver(second, delivery, { delayMs: 100 }),
      deliver(first, delivery),
      deliver(second, delivery),
    ]);
    expect(retries.filter((answer) => answer.outcome === "processed")).toHaveLength(1);
    for (const answer of retries.filter((a) => a.outcome !== "processed"))
      expect(["in_progress", "duplicate"]).toContain(answer.outcome);
    expect(count(await processedIds(receivers), "msg_handler_fails")).toBe(1);
  });

  it("a retry that arrives while the first attempt runs gets 409; the first then fails; the next retry is processed once", async () => {
    const delivery = message("msg_retry_while_running");
    const [first, second] = receivers as [Receiver, Receiver];
    const firstAttempt = deliver(first, delivery, { delayMs: 800, fail: true });
    // The sender's own timeout is shorter than the handler: it retries, to the other process.
    await sleep(200);
    const early = await deliver(second, delivery);
    expect(early).toMatchObject({ status: 409, outcome: "in_progress", error: { code: "message_in_progress" } });
    expect(Number(early.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await firstAttempt).toMatchObject({ status: 500, outcome: "failed" });

    const answers = await sendUntilDelivered([second, first], delivery);
    expect(answers.at(-1)).toMatchObject({ status: 200, outcome: "processed" });
    expect(count(await processedIds(receivers), delivery.id)).toBe(1);
  });

  it("Redis stopped mid-run: no message processed twice, refusals are 409 or 503 replay_store_unavailable, and it recovers", async () => {
    const answers = new Map<string, Answer[]>();
    const sent: Array<ReturnType<typeof message>> = [];
    // Each message is delivered three times at once, spread over both processes.
    async function wave(index: number): Promise<void> {
      const delivery = message(`msg_run_${index}`);
      sent.push(delivery);
      const results = await Promise.all(
        [0, 1, 2].map((copy) => deliver(receivers[(index + copy) % 2] as Receiver, delivery)),
      );
      answers.set(delivery.id, [...(answers.get(delivery.id) ?? []), ...results]);
    }

    let index = 0;
    for (; index < 10; index++) await wave(index);
    // Stop Redis while waves are in flight (a crash: SIGKILL).
    const inFlight = Promise.all([wave(index++), wave(index++), wave(index++)]);
    await server.stop("SIGKILL");
    await inFlight;
    for (const stop = index + 5; index < stop; index++) await wave(index);
    const refusedWhileDown = [...answers.values()].flat().filter((answer) => answer.status === 503);
    expect(refusedWhileDown.length).toBeGreaterThanOrEqual(15);

    // Redis is back on the same port; the receivers were not restarted.
    await server.start();
    let recovered = false;
    for (const deadline = Date.now() + 20_000; !recovered && Date.now() < deadline; index++) {
      await wave(index);
      const latest = answers.get(`msg_run_${index}`) ?? [];
      recovered = latest.every((answer) => answer.status !== 503) && new Set(latest.map((a) => a.receiver)).size === 2;
      if (!recovered) await sleep(100);
    }
    expect(recovered).toBe(true);
    // A claim or completion whose reply was lost in the crash is sent again
    // (released / completed) within about a second of Redis answering again.
    await sleep(1500);

    // The sender retries whatever got no 2xx, until it is accepted.
    for (const delivery of sent) {
      const earlier = answers.get(delivery.id) ?? [];
      if (earlier.some((answer) => answer.status >= 200 && answer.status < 300)) {
        // Processed before the crash and remembered across it: a re-delivery is never processed again.
        const again = await Promise.all(receivers.map((receiver) => deliver(receiver, delivery)));
        for (const answer of again) expect(["duplicate", "in_progress"]).toContain(answer.outcome);
        continue;
      }
      answers.set(delivery.id, [...earlier, ...(await sendUntilDelivered(receivers, delivery, 10_000))]);
    }

    const all = [...answers.values()].flat();
    // Every refusal was a documented one.
    for (const answer of all.filter((a) => a.status !== 200)) {
      if (answer.status === 409)
        expect(answer).toMatchObject({ outcome: "in_progress", error: { code: "message_in_progress" } });
      else expect(answer).toMatchObject({ status: 503, error: { code: "replay_store_unavailable" } });
    }
    // Each message processed exactly once across both processes, by their own records.
    const processed = await processedIds(receivers);
    for (const delivery of sent) expect([delivery.id, count(processed, delivery.id)]).toEqual([delivery.id, 1]);
    expect(processed.filter((id) => id.startsWith("msg_run_"))).toHaveLength(sent.length);
  });
});

describe.runIf(redisAvailable)("a receiver process killed mid-handler", () => {
  let server: RedisServer;
  let receivers: Receiver[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    // A short lease (2 s, renewed every 2/3 s while the handler runs): a dead receiver gives the message back soon.
    const env = { LEASE_SECONDS: "2" };
    receivers = await Promise.all([
      startReceiver("c", "ioredis", server.port, env),
      startReceiver("d", "node-redis", server.port, env),
    ]);
  }, 90_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await server?.dispose();
  });

  it("its lease lapses and the sender's retry is processed by the other, exactly once; the sender ends delivered", async () => {
    const delivery = message("msg_receiver_dies");
    const [doomed, survivor] = receivers as [Receiver, Receiver];
    // A 3 s handler, longer than the lease: the heartbeat keeps the lease while the process lives.
    const firstAttempt = deliver(doomed, delivery, { delayMs: 3000 }).catch(() => undefined);
    await eventually(async () => (await idsOf([doomed], "started")).includes(delivery.id));
    await sleep(1000);
    // Still held (renewed past its first 2 s): a retry now is in progress, not a duplicate.
    expect(await deliver(survivor, delivery)).toMatchObject({ status: 409, outcome: "in_progress" });
    doomed.child.kill("SIGKILL");
    await firstAttempt;

    const startedAt = Date.now();
    const answers = await sendUntilDelivered([survivor, doomed], delivery);
    expect(answers.at(-1)).toMatchObject({ status: 200, outcome: "processed", receiver: survivor.name });
    // No 2xx before that, and it took about one lease, not the retention.
    expect(answers.slice(0, -1).every((answer) => answer.status === 409)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(count(await processedIds([survivor]), delivery.id)).toBe(1);
    expect((await deliver(survivor, delivery)).outcome).toBe("duplicate");
  });
});
