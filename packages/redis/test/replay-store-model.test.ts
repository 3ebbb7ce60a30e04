import { type ClaimResult, createMemoryReplayStore, type ReplayStore } from "@hooksec/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisReplayStore } from "../src/index.js";
import { tokenBytes } from "../src/layout.js";
import { connectClient, type TestClient } from "./support/clients.js";
import { entryOf, lapse } from "./support/entries.js";
import { type RedisServer, redisAvailable, startRedisServer } from "./support/redis-server.js";

// A model-based test of the processing state machine of `ReplayStore`: random
// sequences of claims, renewals, completions and releases (alone, or several at
// once on one key), many concurrent claims, and time passing (every lease
// lapses), run against a plain model. Run against the Redis store with ioredis,
// node-redis and both at once, and against the in-memory reference store of
// @hooksec/core, so the model is the reference's semantics.
//
// Time: leases are long (a minute) and never lapse by themselves during a run;
// the "lapse" command makes every processing lease lapse at once (Redis:
// `PEXPIRE key 1`, then waiting until the key is gone; memory: the clock moves
// one lease ahead). Completions are kept a day, so they outlive every run.

const LEASE = 60_000;
const RETAIN = 86_400_000;
const terms = { leaseMs: LEASE, windowMs: 360_000 };
const KEYS = ["a", "b", "c"] as const;

/** What the model (and the store) holds for one key: nothing, processing or completed, and by which claim. */
type Entry = { readonly state: "p" | "c"; readonly token: string } | undefined;

type Op = { readonly op: "claim" } | { readonly op: "renew" | "complete" | "release"; readonly holder: number };
type Command =
  /** 1 to 3 operations on one key, sent at once (over different connections when there are several). */
  | { readonly kind: "batch"; readonly key: number; readonly ops: readonly Op[] }
  /** Many claims of one key at once: exactly one may acquire. */
  | { readonly kind: "claims"; readonly key: number; readonly count: number }
  /** Every processing lease lapses (its receiver died or stalled). */
  | { readonly kind: "lapse" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ op: "claim" as const }),
  // `holder` picks a token of an earlier claim of the key (old, lapsed ones included: late calls), or one never issued.
  fc.record({ op: fc.constantFrom("renew" as const, "complete" as const, "release" as const), holder: fc.nat(7) }),
);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      key: fc.nat(KEYS.length - 1),
      ops: fc.array(opArb, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("claims" as const),
      key: fc.nat(KEYS.length - 1),
      count: fc.integer({ min: 2, max: 12 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "lapse" as const }) },
);

type Result = ClaimResult | boolean | undefined;

/** One operation in the model: whether `result` is what the store may answer, and the entry after it. */
function step(entry: Entry, op: Op, token: string, result: Result): { ok: boolean; next: Entry } {
  switch (op.op) {
    case "claim": {
      const claimed = result as ClaimResult;
      if (entry === undefined)
        return {
          ok: claimed.state === "acquired",
          next: claimed.state === "acquired" ? { state: "p", token: claimed.token } : entry,
        };
      if (entry.state === "c") return { ok: claimed.state === "completed", next: entry };
      return {
        ok: claimed.state === "in_progress" && claimed.retryAfterMs > 0 && claimed.retryAfterMs <= LEASE,
        next: entry,
      };
    }
    case "renew": {
      if (entry === undefined) return { ok: result === true, next: { state: "p", token } };
      return { ok: result === (entry.token === token), next: entry };
    }
    case "complete": {
      if (entry === undefined || entry.token === token) return { ok: result === true, next: { state: "c", token } };
      return { ok: result === false, next: entry };
    }
    case "release":
      return { ok: result === undefined, next: entry?.state === "p" && entry.token === token ? undefined : entry };
  }
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((rest) =>
    Array.from({ length: n }, (_, at) => [...rest.slice(0, at), n - 1, ...rest.slice(at)]),
  );
}

const sameEntry = (a: Entry, b: Entry): boolean => a?.state === b?.state && a?.token === b?.token;

/**
 * The entry after operations that ran at once, when some order of them gives
 * exactly the results the store gave (and the entry it holds, when it can be read);
 * `null` when no order does: the store was not atomic, or not the model.
 */
function linearize(
  entry: Entry,
  ops: readonly Op[],
  tokens: readonly string[],
  results: readonly Result[],
  actual: { entry: Entry } | undefined,
  sequential: boolean,
): Entry | null {
  const orders = sequential ? [ops.map((_, index) => index)] : permutations(ops.length);
  for (const order of orders) {
    let current = entry;
    let ok = true;
    for (const index of order) {
      const stepped = step(current, ops[index] as Op, tokens[index] as string, results[index]);
      ok = stepped.ok;
      if (!ok) break;
      current = stepped.next;
    }
    if (ok && (actual === undefined || sameEntry(current, actual.entry))) return current;
  }
  return null;
}

/** What the test runs the commands on. */
interface Subject {
  /** Operations sent at once still run in the order sent (the in-memory store: synchronous). */
  readonly sequential: boolean;
  /** Stores on different connections (one for the memory store). */
  readonly stores: readonly ReplayStore[];
  /** The key's entry as the store holds it, and its remaining lifetime in ms; undefined when it cannot be read. */
  read(key: string): Promise<{ entry: Entry; ttlMs: number } | undefined>;
  /** Makes every processing lease among `keys` lapse. */
  lapse(keys: readonly string[]): Promise<void>;
}

async function runCommands(subject: Subject, commands: readonly Command[]): Promise<void> {
  const model = new Map<string, Entry>();
  const issued = new Map<string, string[]>();
  const everIssued = new Set<string>();
  const record = (key: string, result: Result) => {
    if (typeof result !== "object" || result.state !== "acquired") return;
    expect(everIssued.has(result.token), "a claim's token is never given twice").toBe(false);
    everIssued.add(result.token);
    issued.set(key, [...(issued.get(key) ?? []), result.token]);
  };
  const check = async (key: string) => {
    const actual = await subject.read(key);
    if (actual === undefined) return;
    expect(actual.entry, `the entry of ${key}`).toEqual(model.get(key));
    if (actual.entry?.state === "p") expect(actual.ttlMs).toBeLessThanOrEqual(LEASE);
    if (actual.entry?.state === "c") expect(actual.ttlMs).toBeGreaterThan(RETAIN - 600_000);
  };

  for (const command of commands) {
    if (command.kind === "lapse") {
      await subject.lapse(KEYS);
      for (const key of KEYS) if (model.get(key)?.state === "p") model.delete(key);
      continue;
    }
    const key = KEYS[command.key] as string;
    const before = model.get(key);
    if (command.kind === "claims") {
      const results = await Promise.all(
        Array.from({ length: command.count }, (_, i) =>
          (subject.stores[i % subject.stores.length] as ReplayStore).claim(key, terms),
        ),
      );
      const states = results.map((result) => result.state).sort();
      if (before === undefined) {
        expect(states).toEqual(["acquired", ...Array.from({ length: command.count - 1 }, () => "in_progress")]);
      } else {
        expect(states).toEqual(
          Array.from({ length: command.count }, () => (before.state === "c" ? "completed" : "in_progress")),
        );
      }
      for (const result of results) record(key, result);
      const acquired = results.find((result) => result.state === "acquired");
      if (acquired?.state === "acquired") model.set(key, { state: "p", token: acquired.token });
      await check(key);
      continue;
    }
    // Tokens are picked before the batch runs: each names an earlier claim (or none).
    const known = issued.get(key) ?? [];
    const tokens = command.ops.map((op) =>
      op.op === "claim" ? "" : (known[op.holder % (known.length + 1)] ?? "never-issued"),
    );
    const results: Result[] = await Promise.all(
      command.ops.map(async (op, i): Promise<Result> => {
        const store = subject.stores[i % subject.stores.length] as ReplayStore;
        const token = tokens[i] as string;
        if (op.op === "claim") return store.claim(key, terms);
        if (op.op === "renew") return store.renew(key, token, LEASE);
        if (op.op === "complete") return store.complete(key, token, RETAIN);
        await store.release(key, token);
        return undefined;
      }),
    );
    for (const result of results) record(key, result);
    const actual = await subject.read(key);
    const after = linearize(before, command.ops, tokens, results, actual, subject.sequential);
    expect(
      after,
      `no order of ${JSON.stringify(command.ops)} from ${JSON.stringify(before)} gives ${JSON.stringify(results)} and ${JSON.stringify(actual)}`,
    ).not.toBeNull();
    if (after === undefined) model.delete(key);
    else model.set(key, after as NonNullable<Entry>);
    await check(key);
  }
  for (const key of KEYS) await check(key);
}

describe("the model of the processing state machine", () => {
  it("is the semantics of the in-memory reference store of @hooksec/core", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 30 }), async (commands) => {
        const clock = { time: 1_000_000 };
        const store = createMemoryReplayStore({ now: () => clock.time });
        await runCommands(
          {
            sequential: true,
            stores: [store],
            read: () => Promise.resolve(undefined),
            lapse: () => {
              clock.time += LEASE;
              return Promise.resolve();
            },
          },
          commands,
        );
      }),
      { numRuns: 300 },
    );
  });
});

const setups = [
  ["ioredis", ["ioredis", "ioredis"]],
  ["node-redis", ["node-redis", "node-redis"]],
  ["ioredis and node-redis together", ["ioredis", "node-redis"]],
] as const;

describe.runIf(redisAvailable).each(setups)("the Redis store with %s follows the model", (_name, kinds) => {
  let server: RedisServer;
  let clients: TestClient[] = [];
  let run = 0;

  beforeAll(async () => {
    server = await startRedisServer();
    clients = await Promise.all(kinds.map((kind) => connectClient(kind, server.port)));
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.dispose();
  });

  it("for any sequence of operations, concurrent ones included, and lapsing leases", async () => {
    const redis = clients[0] as TestClient;
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 25 }), async (commands) => {
        // A fresh namespace per run: every run starts from empty keys.
        const prefix = `model:${++run}:`;
        const stores = clients.map((client) =>
          createRedisReplayStore({ client: client.client, prefix, timeoutMs: 5000 }),
        );
        await runCommands(
          {
            sequential: false,
            stores,
            async read(key) {
              const entry = await entryOf(redis, key, prefix);
              if (entry === undefined) return { entry: undefined, ttlMs: -2 };
              // A token the store did not issue is kept as 5 bytes of its digest.
              const token = entry.token === tokenBytes("never-issued").toString("hex") ? "never-issued" : entry.token;
              return { entry: { state: entry.state, token }, ttlMs: entry.ttlMs };
            },
            async lapse(keys) {
              for (const key of keys)
                if ((await entryOf(redis, key, prefix))?.state === "p") await lapse(redis, key, prefix);
            },
          },
          commands,
        );
      }),
      { numRuns: 60 },
    );
  });
});
