import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  children,
  deliver,
  message,
  processedIds,
  type Receiver,
  startReceiver,
} from "./support/receivers.js";
import { eventually, type RedisServer, redisAvailable, startRedisServer } from "./support/redis-server.js";

// Two receiver processes (one on ioredis, one on node-redis) limiting each
// client IP with createRedisRateLimiter on one Redis: one budget for both, and
// closed when Redis is gone. The client IP arrives in X-Forwarded-For from
// loopback, a trusted proxy, so each test has budgets of its own.

const POINTS = 10;
const WINDOW_SECONDS = 120;

describe.runIf(redisAvailable)("a rate limit shared by two receiver processes", () => {
  let server: RedisServer;
  let receivers: Receiver[] = [];
  let sequence = 0;

  beforeAll(async () => {
    server = await startRedisServer();
    const env = { RATE_LIMIT_POINTS: String(POINTS), RATE_LIMIT_SECONDS: String(WINDOW_SECONDS) };
    receivers = await Promise.all([
      startReceiver("a", "ioredis", server.port, env),
      startReceiver("b", "node-redis", server.port, env),
    ]);
  }, 150_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await server?.dispose();
  });

  const send = (receiver: Receiver, clientIp: string): Promise<Answer> =>
    deliver(receiver, message(`msg_rate_${sequence++}`), { clientIp });
  const on = (index: number) => receivers[index % 2] as Receiver;

  function expectRateLimited(answer: Answer): void {
    expect(answer).toMatchObject({ status: 429, outcome: "refused", error: { code: "rate_limited" } });
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(answer.retryAfter)).toBeLessThanOrEqual(WINDOW_SECONDS);
  }

  it(`${POINTS} deliveries over both processes spend one budget: the next is refused 429 with Retry-After on either`, async () => {
    const clientIp = "203.0.113.10";
    const before = (await processedIds(receivers)).length;
    for (let i = 0; i < POINTS; i++)
      expect(await send(on(i), clientIp)).toMatchObject({ status: 200, outcome: "processed" });
    expectRateLimited(await send(on(0), clientIp));
    expectRateLimited(await send(on(1), clientIp));
    expect((await processedIds(receivers)).length - before).toBe(POINTS);
    // Another client's budget is untouched, on both.
    expect(
      (await Promise.all([send(on(0), "203.0.113.11"), send(on(1), "203.0.113.11")])).map((answer) => answer.status),
    ).toEqual([200, 200]);
  });

  it(`30 concurrent deliveries from one client over both processes: exactly ${POINTS} processed, the other 20 refused 429`, async () => {
    const clientIp = "203.0.113.20";
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => send(on(i), clientIp)));
    expect(answers.filter((answer) => answer.status === 200 && answer.outcome === "processed")).toHaveLength(POINTS);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(refused).toHaveLength(30 - POINTS);
    for (const answer of refused) expectRateLimited(answer);
    // Each process had 15 of them and at most 10 could pass anywhere: both refused some.
    expect(new Set(refused.map((answer) => answer.receiver))).toEqual(new Set(["a", "b"]));
  });

  it("with Redis stopped, every delivery is refused 503 rate_limiter_unavailable on both processes, none processed; back when Redis is", async () => {
    const clientIp = "203.0.113.30";
    expect((await Promise.all([send(on(0), clientIp), send(on(1), clientIp)])).map((answer) => answer.status)).toEqual([
      200, 200,
    ]);
    const before = (await processedIds(receivers)).length;
    await server.stop("SIGKILL");
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => send(on(i), clientIp)));
      for (const answer of answers)
        expect(answer).toMatchObject({ status: 503, outcome: "refused", error: { code: "rate_limiter_unavailable" } });
      expect(new Set(answers.map((answer) => answer.receiver))).toEqual(new Set(["a", "b"]));
      expect((await processedIds(receivers)).length).toBe(before);
    } finally {
      await server.start();
    }
    // Both clients reconnect by themselves.
    for (const receiver of receivers)
      expect(await eventually(async () => (await send(receiver, clientIp)).status === 200, 20_000)).toBe(true);
  });
});
