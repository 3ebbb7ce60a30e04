import { createSender } from "@hooksec/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Balancer, startBalancer } from "./support/balancer.js";
import { connectClient, type TestClient } from "./support/clients.js";
import { children, type Receiver, scheme, startReceiver } from "./support/receivers.js";
import { type RedisServer, eventually, redisAvailable, sleep, startRedisServer } from "./support/redis-server.js";

// Exactly-once processing end to end: two receiver processes (the receive
// lifecycle over one real Redis) behind a loopback balancer, fed by the core's
// own sender with its retries. What counts as processed is the handler's side
// effect, an RPUSH into a Redis list, so it survives a receiver being killed.

const PROCESSED = "test:processed";
const LEASE_SECONDS = "2";

/** The core sender, retrying fast (a test cannot wait the production schedule), loopback allowed. */
function sender() {
  return createSender({
    scheme,
    ssrf: { allowHttp: true, allowCidrs: ["127.0.0.0/8"] },
    retry: { attempts: 60, baseDelayMs: 50, maxDelayMs: 400, maxRetryAfterMs: 1_500 },
    timeouts: { totalMs: 10_000 },
  });
}

describe.runIf(redisAvailable)("exactly once across retries, crashes and two instances", () => {
  let server: RedisServer;
  let redis: TestClient;
  let receivers: Receiver[];
  let balancer: Balancer;
  const env = { LEASE_SECONDS, PROCESSED_LIST: PROCESSED };

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectClient("ioredis", server.port);
    receivers = await Promise.all([
      startReceiver("a", "ioredis", server.port, env),
      startReceiver("b", "node-redis", server.port, env),
    ]);
    balancer = await startBalancer(receivers.map((receiver) => receiver.url));
  }, 90_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await balancer?.close();
    redis?.close();
    await server?.dispose();
  });

  const processedCount = async (id: string) =>
    ((await redis.send(["LRANGE", PROCESSED, "0", "-1"])) as string[]).filter((each) => each === id).length;

  async function restart(index: number): Promise<void> {
    const old = receivers[index] as Receiver;
    const fresh = await startReceiver(old.name, index === 0 ? "ioredis" : "node-redis", server.port, env);
    receivers[index] = fresh;
    balancer.backends[index] = fresh.url;
  }

  it("(a) a receiver SIGKILLed mid-handler: the sender's retries reach the other, the message is processed once, the sender ends delivered", async () => {
    const [doomed, survivor] = receivers as [Receiver, Receiver];
    // The first attempt reaches the doomed instance; its handler takes 3 s (longer than the 2 s lease: the heartbeat keeps it).
    balancer.backends.splice(0, balancer.backends.length, doomed.url);
    const result = sender().send(
      { url: `${balancer.url}/webhook` },
      { delayMs: 3_000 },
      { id: "msg_killed_mid_handler" },
    );
    expect(
      await eventually(
        async () => ((await (await fetch(`${doomed.url}/started`)).json()) as { started: string[] }).started.length > 0,
      ),
    ).toBe(true);
    await sleep(1_000);
    doomed.child.kill("SIGKILL");
    // The balancer goes on with both; the dead one refuses connections and is skipped.
    balancer.backends.splice(0, balancer.backends.length, doomed.url, survivor.url);
    expect(await result).toMatchObject({ status: "delivered" });
    expect(await processedCount("msg_killed_mid_handler")).toBe(1);
    await restart(0);
  });

  it("(b) a retry while the first attempt runs is not acknowledged; the first fails; the message is processed once, and no 2xx came before", async () => {
    const id = "msg_retry_during_first";
    const outcomes: Array<{ status: number | undefined; processedBefore: number }> = [];
    const delivery = createSender({
      scheme,
      ssrf: { allowHttp: true, allowCidrs: ["127.0.0.0/8"] },
      retry: { attempts: 30, baseDelayMs: 50, maxDelayMs: 300, maxRetryAfterMs: 1_500 },
      // The sender gives up on an attempt after 100 ms; the handler takes 500 ms.
      timeouts: { totalMs: 100 },
      onAttempt: async (attempt) => {
        outcomes.push({ status: attempt.status, processedBefore: await processedCount(id) });
      },
    });
    const result = await delivery.send(
      { url: `${balancer.url}/webhook` },
      { delayMs: 500, failFirstRun: true },
      { id },
    );
    expect(result).toMatchObject({ status: "delivered" });
    expect(await processedCount(id)).toBe(1);
    // Before the 2xx: timeouts and 409s (in progress), never a 2xx while it was not processed.
    const early = outcomes.slice(0, -1);
    expect(
      early.every((outcome) => outcome.status === undefined || outcome.status === 409 || outcome.status >= 500),
    ).toBe(true);
    expect(early.some((outcome) => outcome.status === 409)).toBe(true);
    expect(outcomes.at(-1)).toMatchObject({ status: 200, processedBefore: 1 });
  });

  it("(c) 1 000 messages, each sent 3 times at once over both instances, random handler failures, one instance killed and restarted: every message processed exactly once", async () => {
    const delivery = sender();
    const ids = Array.from({ length: 1_000 }, (_, i) => `msg_bulk_${i}`);
    const notAcknowledgedFirst: string[] = [];
    let sent = 0;
    async function sendThreeTimes(id: string): Promise<void> {
      const payload = { delayMs: 5 + Math.floor(Math.random() * 40), failRate: 0.15 };
      const results = await Promise.all(
        [0, 1, 2].map(() => delivery.send({ url: `${balancer.url}/webhook` }, payload, { id })),
      );
      for (const result of results)
        if (result.status !== "delivered") notAcknowledgedFirst.push(`${id}: ${JSON.stringify(result)}`);
      // A 2xx only ever answers a processed message.
      if ((await processedCount(id)) === 0) notAcknowledgedFirst.push(`${id}: acknowledged before it was processed`);
      sent++;
    }
    // 40 messages in flight at a time; at 400 sent, one instance dies mid-run.
    const queue = [...ids];
    const workers = Array.from({ length: 40 }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await sendThreeTimes(id);
    });
    const crash = (async () => {
      await eventually(async () => sent >= 400, 120_000);
      const victim = receivers[1] as Receiver;
      // Handlers still to come wait before their side effect; kill once none is between
      // its side effect and its completion (a crash there is the documented limit).
      await fetch(`${victim.url}/freeze`, { method: "POST" });
      const settled = await eventually(
        async () => ((await (await fetch(`${victim.url}/settling`)).json()) as { settling: number }).settling === 0,
      );
      if (!settled) throw new Error("the victim never reached a moment with no side effect awaiting completion");
      victim.child.kill("SIGKILL");
      await sleep(500);
      await restart(1);
    })();
    await Promise.all([...workers, crash]);

    expect(notAcknowledgedFirst).toEqual([]);
    const processed = (await redis.send(["LRANGE", PROCESSED, "0", "-1"])) as string[];
    const counts = new Map<string, number>();
    for (const id of processed) counts.set(id, (counts.get(id) ?? 0) + 1);
    const wrong = ids.filter((id) => counts.get(id) !== 1).map((id) => `${id}: ${counts.get(id) ?? 0}`);
    expect(wrong).toEqual([]);
  }, 240_000);
});
