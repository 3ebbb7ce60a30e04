import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CircuitBreaker, createCircuitBreaker } from "../src/circuit/circuit-breaker.js";
import type { CircuitState } from "../src/types.js";
import { type RedisServer, redisAvailable, startRedisServer } from "./support/redis-server.js";

// Model-based: random sequences of acquire / success / failure / clock steps run against
// the Lua breaker in a real Redis and against a plain model of the state machine.

const options = { failureThreshold: 3, cooldownMs: 1000, probeLeaseMs: 400 };

interface Model {
  now: number;
  state: CircuitState;
  failures: number;
  openedAt: number;
  probeUntil: number;
  failingSince: number | undefined;
}
interface Real {
  breaker: CircuitBreaker;
  endpoint: string;
}

class Acquire implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const decision = await real.breaker.acquire(real.endpoint, model.now);
    let expected: unknown;
    if (model.state === "closed") expected = { allowed: true, probe: false };
    else if (model.state === "open" && model.now < model.openedAt + options.cooldownMs)
      expected = { allowed: false, retryAt: model.openedAt + options.cooldownMs };
    else if (model.state === "half_open" && model.now < model.probeUntil)
      expected = { allowed: false, retryAt: model.probeUntil };
    else {
      expected = {
        allowed: true,
        probe: true,
        ...(model.state === "open" ? { transition: { from: "open", to: "half_open" } } : {}),
      };
      model.state = "half_open";
      model.probeUntil = model.now + options.probeLeaseMs;
    }
    expect(decision).toEqual(expected);
  }
  toString = () => "acquire";
}

class Success implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const transition = await real.breaker.recordSuccess(real.endpoint);
    expect(transition).toEqual(model.state === "closed" ? undefined : { from: model.state, to: "closed" });
    Object.assign(model, { state: "closed", failures: 0, failingSince: undefined });
  }
  toString = () => "success";
}

class Failure implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const recorded = await real.breaker.recordFailure(real.endpoint, model.now);
    model.failures++;
    model.failingSince ??= model.now;
    const from = model.state;
    if (model.state === "half_open" || (model.state === "closed" && model.failures >= options.failureThreshold)) {
      model.state = "open";
      model.openedAt = model.now;
    }
    expect(recorded).toEqual({
      failingSince: model.failingSince,
      ...(from === model.state ? {} : { transition: { from, to: model.state } }),
    });
  }
  toString = () => "failure";
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    model.now += this.ms;
    const snapshot = await real.breaker.snapshot(real.endpoint);
    expect(snapshot.state).toBe(model.state);
    expect(snapshot.consecutiveFailures).toBe(model.failures);
    expect(snapshot.failingSince).toBe(model.failingSince);
  }
  toString = () => `advance(${this.ms})`;
}

describe.runIf(redisAvailable)("circuit breaker state machine (model-based)", () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis({ host: "127.0.0.1", port: redis.port });
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.dispose();
  });

  it("matches the model for any sequence of acquisitions, outcomes and clock steps", async () => {
    const breaker = createCircuitBreaker(client, (id) => `model:cb:${id}`, options);
    let run = 0;
    const commands = fc.commands(
      [
        fc.constant(new Acquire()),
        fc.constant(new Success()),
        fc.constant(new Failure()),
        // Steps that land exactly on the cool-down and lease boundaries, and any others.
        fc.oneof(fc.constantFrom(399, 400, 999, 1000), fc.integer({ min: 1, max: 1500 })).map((ms) => new Advance(ms)),
      ],
      { maxCommands: 60 },
    );
    await fc.assert(
      fc.asyncProperty(commands, async (sequence) => {
        const endpoint = `ep${++run}`;
        const setup = () => ({
          model: {
            now: 1_000_000,
            state: "closed" as CircuitState,
            failures: 0,
            openedAt: 0,
            probeUntil: 0,
            failingSince: undefined,
          },
          real: { breaker, endpoint },
        });
        await fc.asyncModelRun(setup, sequence);
      }),
      { numRuns: 150 },
    );
  });

  it("two workers racing for the probe of a cooled-down circuit: exactly one gets it", async () => {
    const breaker = createCircuitBreaker(client, (id) => `race:cb:${id}`, options);
    for (let i = 0; i < options.failureThreshold; i++) await breaker.recordFailure("ep", 0);
    const decisions = await Promise.all(
      Array.from({ length: 20 }, () => breaker.acquire("ep", options.cooldownMs + 1)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1);
  });
});
