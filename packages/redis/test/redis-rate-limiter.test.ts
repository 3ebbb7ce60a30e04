import { createReceiver, type RateLimiter, standardWebhooks, WebhookError } from "@hooksec/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisRateLimiter, type RedisRateLimiterOptions } from "../src/index.js";
import { clientKinds, connectClient, type TestClient } from "./support/clients.js";
import { eventually, type RedisServer, redisAvailable, sleep, startRedisServer } from "./support/redis-server.js";

// createRedisRateLimiter on a real redis-server, through the core's receive
// lifecycle where the answer matters (429 / 503 and their codes).

const secret = `whsec_${Buffer.from("hooksec rate limiter test secret").toString("base64")}`;
const scheme = standardWebhooks({ secret });
let sequence = 0;

/** A signed delivery from `clientIp` (the peer address the adapter passes). */
async function delivery(clientIp: string) {
  const id = `msg_rate_${sequence++}`;
  const body = JSON.stringify({ id });
  const headers = await scheme.sign({ id, timestamp: new Date(), body });
  return {
    method: "POST",
    url: "http://127.0.0.1/webhook",
    headers,
    body: new TextEncoder().encode(body),
    connection: { remoteAddress: clientIp },
  };
}

/** A receiver limiting per client IP with `limiter`; answers the status, the code and Retry-After, and counts handler runs. */
function receiverWith(limiter: RateLimiter) {
  const receiver = createReceiver({ scheme, rateLimit: { by: "ip", limiter } });
  const runs = { count: 0 };
  async function send(
    clientIp: string,
  ): Promise<{ status: number; code?: string; retryAfter?: string; cause?: string }> {
    const outcome = await receiver.receive(await delivery(clientIp), async () => {
      runs.count++;
      return { status: 200 };
    });
    if (outcome.handled) return { status: outcome.result.status };
    const body = outcome.response.body;
    const cause = (outcome.error?.cause as Error | undefined)?.message;
    return {
      status: outcome.response.status,
      code: "error" in body ? body.error.code : "duplicate",
      retryAfter: outcome.response.headers["retry-after"],
      cause,
    };
  }
  return { send, runs };
}

/** Whether the client believes it is connected (ioredis `status`, node-redis `isReady`). */
function isReady(test: TestClient): boolean {
  const shape = test.client as { status?: string; isReady?: boolean };
  return test.kind === "ioredis" ? shape.status === "ready" : shape.isReady === true;
}

let nextIp = 1;
/** A client IP no other test used: a budget of its own. */
const freshIp = () => `198.51.${100 + Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

describe.runIf(redisAvailable)("createRedisRateLimiter on a real Redis", () => {
  let server: RedisServer;
  const clients: Partial<Record<(typeof clientKinds)[number], TestClient>> = {};
  const client = (kind: (typeof clientKinds)[number]) => clients[kind] as TestClient;

  beforeAll(async () => {
    server = await startRedisServer();
    for (const kind of clientKinds) clients[kind] = await connectClient(kind, server.port, { offlineQueue: false });
  });

  afterAll(async () => {
    for (const each of Object.values(clients)) each?.close();
    await server?.dispose();
  });

  describe.each(clientKinds)("with %s", (kind) => {
    it("lets `points` requests through per window and refuses the next: 429 rate_limited, Retry-After within the window, handler not run", async () => {
      const { send, runs } = receiverWith(
        createRedisRateLimiter({ client: client(kind).client, points: 3, durationSeconds: 30 }),
      );
      const ip = freshIp();
      expect((await Promise.all([send(ip), send(ip), send(ip)])).map((answer) => answer.status)).toEqual([
        200, 200, 200,
      ]);
      const refused = await send(ip);
      expect(refused).toMatchObject({ status: 429, code: "rate_limited" });
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(30);
      expect(runs.count).toBe(3);
      // Another client has a budget of its own.
      expect(await send(freshIp())).toMatchObject({ status: 200 });
    });

    it("counts under the prefix, with the window as the key's expiry", async () => {
      const limiter = createRedisRateLimiter({
        client: client(kind).client,
        points: 5,
        durationSeconds: 20,
        prefix: `test:${kind}:rate:`,
      });
      const ip = freshIp();
      await limiter.consume(`ip:${ip}`);
      await limiter.consume(`ip:${ip}`);
      expect(await client(kind).get(`test:${kind}:rate:ip:${ip}`)).toBe("2");
      const ttl = await client(kind).pttl(`test:${kind}:rate:ip:${ip}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(20_000);
    });

    it("a budget comes back when its window ends", async () => {
      const limiter = createRedisRateLimiter({ client: client(kind).client, points: 1, durationSeconds: 1 });
      const ip = freshIp();
      // At once, so both fall in one window however slow the machine is.
      const first = await Promise.allSettled([limiter.consume(`ip:${ip}`), limiter.consume(`ip:${ip}`)]);
      expect(first.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
      // Poll rather than time: the next window opens once Redis expired the key (and the local block ended).
      let allowed = false;
      for (let attempt = 0; attempt < 100 && !allowed; attempt++) {
        await sleep(100);
        allowed = await limiter.consume(`ip:${ip}`).then(
          () => true,
          () => false,
        );
      }
      expect(allowed).toBe(true);
    });

    it("blockDurationSeconds: an exceeded budget is blocked in Redis for the block, for every instance", async () => {
      const options = { points: 2, durationSeconds: 2, blockDurationSeconds: 30 };
      const here = receiverWith(createRedisRateLimiter({ client: client(kind).client, ...options }));
      const other = receiverWith(
        createRedisRateLimiter({ client: client(kind === "ioredis" ? "node-redis" : "ioredis").client, ...options }),
      );
      const ip = freshIp();
      // Sent at once, so they fall in one window however slow the machine is.
      const answers = await Promise.all([here.send(ip), here.send(ip), here.send(ip)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429]);
      const refused = answers.find((answer) => answer.status === 429);
      expect(refused).toMatchObject({ code: "rate_limited" });
      // Longer than the 2 s window: the block's time.
      expect(Number(refused?.retryAfter)).toBeGreaterThan(5);
      // Past the window, the block (in Redis) still holds, on the other instance too.
      await sleep(2_200);
      const elsewhere = await other.send(ip);
      expect(elsewhere).toMatchObject({ status: 429, code: "rate_limited" });
      expect(Number(elsewhere.retryAfter)).toBeGreaterThan(5);
      expect(other.runs.count).toBe(0);
    });
  });

  it("one budget over both clients: of k concurrent requests split between an ioredis and a node-redis instance, exactly min(k, points) pass (property)", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 24 }),
        fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
        async (points, k, onIoredis) => {
          const prefix = `prop:${run++}:`;
          const instances = {
            io: createRedisRateLimiter({ client: client("ioredis").client, points, durationSeconds: 60, prefix }),
            node: createRedisRateLimiter({ client: client("node-redis").client, points, durationSeconds: 60, prefix }),
          };
          const results = await Promise.allSettled(
            Array.from({ length: k }, (_, i) => (onIoredis[i] ? instances.io : instances.node).consume("ip:192.0.2.1")),
          );
          const allowed = results.filter((result) => result.status === "fulfilled").length;
          expect(allowed).toBe(Math.min(k, points));
          // Every refusal is an over-limit result (a 429 for the core), never a store failure.
          for (const result of results) {
            if (result.status === "rejected") {
              expect(result.reason).not.toBeInstanceOf(Error);
              expect((result.reason as { msBeforeNext: number }).msBeforeNext).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it.each([
    [{ client: undefined }],
    [{ client: { get: () => {} } }],
    [{ clientKind: "memcached" }],
    [{ points: 0 }],
    [{ points: 1.5 }],
    [{ durationSeconds: -1 }],
    [{ blockDurationSeconds: 0 }],
    [{ timeoutMs: 0 }],
    [{ timeoutMs: Number.NaN }],
    [{ prefix: 7 }],
  ])("refuses bad options with invalid_options: %j", (bad) => {
    const options = { client: client("ioredis").client, ...bad } as unknown as RedisRateLimiterOptions;
    const error = (() => {
      try {
        createRedisRateLimiter(options);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(WebhookError);
    expect(error).toMatchObject({ code: "invalid_options" });
  });

  it("an ioredis-like client without defineCommand is refused with invalid_options (its script could never run)", () => {
    const wrapper = { status: "ready", eval: async () => 1 };
    expect(() => createRedisRateLimiter({ client: wrapper })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });
});

describe.runIf(redisAvailable)("createRedisRateLimiter when Redis fails: closed, never let through", () => {
  let server: RedisServer;
  let clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    // Both clients' defaults: commands issued while disconnected wait in the offline queue.
    clients = await Promise.all(clientKinds.map((kind) => connectClient(kind, server.port)));
  });

  afterAll(async () => {
    for (const each of clients) each.close();
    await server?.dispose();
  });

  it.each(clientKinds.map((kind, index) => [kind, index] as const))(
    "%s: a frozen Redis (no reply) → 503 rate_limiter_unavailable after timeoutMs; a spent budget is still 429",
    async (_kind, index) => {
      const { send, runs } = receiverWith(
        createRedisRateLimiter({
          client: (clients[index] as TestClient).client,
          points: 1,
          durationSeconds: 60,
          timeoutMs: 200,
        }),
      );
      const spent = freshIp();
      expect(await send(spent)).toMatchObject({ status: 200 });
      expect(await send(spent)).toMatchObject({ status: 429, code: "rate_limited" });
      server.freeze();
      try {
        expect(await send(freshIp())).toMatchObject({ status: 503, code: "rate_limiter_unavailable" });
        // The spent budget is refused by the instance itself until its window ends: still 429, not a 503.
        expect(await send(spent)).toMatchObject({ status: 429, code: "rate_limited" });
      } finally {
        server.thaw();
      }
      expect(runs.count).toBe(1);
    },
  );

  it.each(clientKinds.map((kind, index) => [kind, index] as const))(
    "%s: Redis stopped → 503 rate_limiter_unavailable at once, handler not run; back once Redis is",
    async (_kind, index) => {
      const test = clients[index] as TestClient;
      const { send, runs } = receiverWith(
        createRedisRateLimiter({ client: test.client, points: 100, durationSeconds: 60, timeoutMs: 5_000 }),
      );
      const ip = freshIp();
      expect(await eventually(async () => isReady(test))).toBe(true);
      expect(await send(ip)).toMatchObject({ status: 200 });
      await server.stop("SIGKILL");
      try {
        // Once the client saw the connection close (before that, a command sent into the
        // dead socket is refused by the timeout: the frozen-Redis test).
        expect(await eventually(async () => !isReady(test))).toBe(true);
        const answers = await Promise.all(Array.from({ length: 5 }, () => send(ip)));
        for (const answer of answers) {
          expect(answer).toMatchObject({ status: 503, code: "rate_limiter_unavailable" });
          // Refused because the client is not connected (rejectIfRedisNotReady), not by waiting
          // out the timeout in the client's offline queue (and counting the request later).
          expect(answer.cause).toBe("Redis connection is not ready");
        }
        expect(runs.count).toBe(1);
      } finally {
        await server.start();
      }
      // The client reconnects by itself; requests go through again.
      let answer = await send(ip);
      for (let attempt = 0; attempt < 100 && answer.status !== 200; attempt++) {
        await sleep(100);
        answer = await send(ip);
      }
      expect(answer).toMatchObject({ status: 200 });
    },
  );
});
