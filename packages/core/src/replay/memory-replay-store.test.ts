import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../test-support/outcome.js";
import { createMemoryReplayStore, type MemoryReplayStore, replayKeyDigest } from "./memory-replay-store.js";
import type { ClaimResult } from "./replay-store.js";

const LEASE = 1_000;
const WINDOW = 5_000;
const RETAIN = 20_000;
const terms = { leaseMs: LEASE, windowMs: WINDOW };

/** The state machine of `ReplayStore`, as plainly as it can be written. */
class ReferenceStore {
  readonly entries = new Map<string, { token: string; completed: boolean; expiresAt: number }>();
  time = 0;
  #counter = 0;

  #live(key: string) {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expiresAt > this.time ? entry : undefined;
  }

  claim(key: string): ClaimResult {
    const entry = this.#live(key);
    if (entry?.completed) return { state: "completed" };
    if (entry !== undefined) return { state: "in_progress", retryAfterMs: entry.expiresAt - this.time };
    const token = `model-${++this.#counter}`;
    this.entries.set(key, { token, completed: false, expiresAt: this.time + LEASE });
    return { state: "acquired", token };
  }

  renew(key: string, token: string): boolean {
    const entry = this.entries.get(key);
    if (entry?.token === token) {
      if (!entry.completed) entry.expiresAt = this.time + LEASE;
      return true;
    }
    if (this.#live(key) !== undefined) return false;
    this.entries.set(key, { token, completed: false, expiresAt: this.time + LEASE });
    return true;
  }

  complete(key: string, token: string): boolean {
    const entry = this.entries.get(key);
    if (entry?.token !== token && this.#live(key) !== undefined) return false;
    this.entries.set(key, { token, completed: true, expiresAt: this.time + RETAIN });
    return true;
  }

  release(key: string, token: string): void {
    const entry = this.entries.get(key);
    if (entry?.token === token && !entry.completed) this.entries.delete(key);
  }
}

type Command =
  | { readonly op: "claim"; readonly key: string }
  | { readonly op: "renew" | "complete" | "release"; readonly key: string; readonly holder: number }
  | { readonly op: "wait"; readonly ms: number };

const keyArb = fc.constantFrom("a", "b", "c");
const commandsOn = (keys: fc.Arbitrary<string>): fc.Arbitrary<Command> =>
  fc.oneof(
    fc.record({ op: fc.constant("claim" as const), key: keys }),
    fc.record({
      op: fc.constantFrom("renew" as const, "complete" as const, "release" as const),
      key: keys,
      holder: fc.nat(6),
    }),
    fc.record({ op: fc.constant("wait" as const), ms: fc.constantFrom(1, 300, 999, 1_000, 4_000, 20_000) }),
  );
const commandArb = commandsOn(keyArb);

/**
 * Runs the same commands on the store and the model. Tokens differ between the
 * two, so each side keeps the tokens its claims returned and commands name a
 * holder by the order of its claim (including long-lapsed ones: late calls).
 */
function runAgainstModel(store: MemoryReplayStore, clock: { time: number }, commands: readonly Command[]): void {
  const model = new ReferenceStore();
  const storeTokens = new Map<string, string[]>();
  const modelTokens = new Map<string, string[]>();
  for (const command of commands) {
    if (command.op === "wait") {
      clock.time += command.ms;
      model.time += command.ms;
      continue;
    }
    const { key } = command;
    if (command.op === "claim") {
      const actual = store.claim(key, terms);
      const expected = model.claim(key);
      expect(actual.state).toBe(expected.state);
      if (actual.state === "in_progress" && expected.state === "in_progress")
        expect(actual.retryAfterMs).toBe(expected.retryAfterMs);
      if (actual.state === "acquired" && expected.state === "acquired") {
        storeTokens.set(key, [...(storeTokens.get(key) ?? []), actual.token]);
        modelTokens.set(key, [...(modelTokens.get(key) ?? []), expected.token]);
      }
      continue;
    }
    const actualToken = storeTokens.get(key)?.[command.holder];
    const expectedToken = modelTokens.get(key)?.[command.holder];
    if (actualToken === undefined || expectedToken === undefined) continue;
    if (command.op === "renew") expect(store.renew(key, actualToken, LEASE)).toBe(model.renew(key, expectedToken));
    if (command.op === "complete")
      expect(store.complete(key, actualToken, RETAIN)).toBe(model.complete(key, expectedToken));
    if (command.op === "release") {
      store.release(key, actualToken);
      model.release(key, expectedToken);
    }
  }
}

describe("createMemoryReplayStore", () => {
  it("behaves like the reference state machine for any sequence of claims, renewals, completions, releases and waits", () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 80 }), (commands) => {
        const clock = { time: 0 };
        runAgainstModel(createMemoryReplayStore({ now: () => clock.time }), clock, commands);
      }),
      { numRuns: 500 },
    );
  });

  it("follows the model over many keys too (the index grows, entries come and go, long and non-ASCII ids)", () => {
    const manyKeys = fc.oneof(
      fc.integer({ min: 0, max: 3000 }).map((n) => `k${n}`),
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.constantFrom("x".repeat(256), "\ud800", "\ud801", "\ufffd"),
    );
    fc.assert(
      fc.property(fc.array(commandsOn(manyKeys), { maxLength: 400 }), (commands) => {
        const clock = { time: 0 };
        runAgainstModel(createMemoryReplayStore({ now: () => clock.time }), clock, commands);
      }),
      { numRuns: 100 },
    );
    // And with a long run of distinct keys through growth and eviction of slots.
    const clock = { time: 0 };
    const keys = Array.from({ length: 5000 }, (_, i) => `msg_${i}`);
    const commands: Command[] = keys.flatMap((key, i) => [
      { op: "claim" as const, key },
      { op: i % 3 === 0 ? ("release" as const) : ("complete" as const), key, holder: 0 },
      ...(i % 500 === 0 ? [{ op: "wait" as const, ms: 4_000 }] : []),
      { op: "claim" as const, key: keys[(i * 7) % (i + 1)] as string },
    ]);
    runAgainstModel(createMemoryReplayStore({ now: () => clock.time }), clock, commands);
  });

  it("keys messages by the first 128 bits of SHA-256 over the key's UTF-16BE code units", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 200 }), async (key) => {
        const bytes = new Uint8Array(key.length * 2);
        for (let i = 0; i < key.length; i++) {
          bytes[2 * i] = key.charCodeAt(i) >> 8;
          bytes[2 * i + 1] = key.charCodeAt(i) & 255;
        }
        const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        const hex = Array.from(hash.subarray(0, 16), (byte) => byte.toString(16).padStart(2, "0")).join("");
        expect(replayKeyDigest(key)).toBe(hex);
      }),
      { numRuns: 300 },
    );
    // Lone surrogates stay distinct (UTF-8 would turn both into U+FFFD).
    expect(replayKeyDigest("a\ud800")).not.toBe(replayKeyDigest("a\ud801"));
  });

  it("computes SHA-256's constants exactly, whatever the engine's Math.cbrt and Math.sqrt round to", () => {
    // The store derives them from the roots of the first 64 primes. Exactly (BigInt):
    // each root's fractional part lies at least 2^-40 from a multiple of 2^-32, so a
    // root off by hundreds of ulps (2^-50 at most here) still yields the same 32 bits.
    const primes: number[] = [];
    for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
    const FRACTION_BITS = 80n;
    const integerRoot = (value: bigint, degree: bigint): bigint => {
      let root = 0n;
      for (let bit = 1n << 90n; bit > 0n; bit >>= 1n) if ((root | bit) ** degree <= value) root |= bit;
      return root;
    };
    const roots = [...primes.map((p) => [p, 3n] as const), ...primes.slice(0, 8).map((p) => [p, 2n] as const)];
    for (const [prime, degree] of roots) {
      const scaled = integerRoot(BigInt(prime) << (FRACTION_BITS * degree), degree);
      const below = Number(scaled & ((1n << (FRACTION_BITS - 32n)) - 1n)) / 2 ** Number(FRACTION_BITS - 32n);
      expect(Math.min(below, 1 - below)).toBeGreaterThan(2 ** -8);
    }
    // And the digests they make: the empty key is SHA-256 of nothing.
    expect(replayKeyDigest("")).toBe("e3b0c44298fc1c149afbf4c8996fb924");
  });

  it("gives one lease to exactly one of any number of concurrent claims", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.stringMatching(/^[a-e]{1,2}$/), { minLength: 1, maxLength: 200 }), async (keys) => {
        const store = createMemoryReplayStore();
        const results = await Promise.all(keys.map(async (key) => ({ key, claimed: await store.claim(key, terms) })));
        const winners = new Map<string, number>();
        for (const { key, claimed } of results)
          if (claimed.state === "acquired") winners.set(key, (winners.get(key) ?? 0) + 1);
        expect([...winners.values()].every((count) => count === 1)).toBe(true);
        expect(new Set(winners.keys())).toEqual(new Set(keys));
      }),
    );
  });

  it("never lets a late call from a lapsed lease overwrite the claim that followed it (fencing)", () => {
    let time = 0;
    const store = createMemoryReplayStore({ now: () => time });
    const first = store.claim("k", terms) as ClaimResult & { token: string };
    time += LEASE; // the first receiver died or stalled
    const second = store.claim("k", terms) as ClaimResult & { token: string };
    expect(second.state).toBe("acquired");
    expect(store.renew("k", first.token, LEASE)).toBe(false);
    expect(store.complete("k", first.token, RETAIN)).toBe(false);
    store.release("k", first.token);
    expect(store.claim("k", terms)).toEqual({ state: "in_progress", retryAfterMs: LEASE });
    expect(store.complete("k", second.token, RETAIN)).toBe(true);
    expect(store.claim("k", terms)).toEqual({ state: "completed" });
  });

  it("fails closed with replay_store_full instead of forgetting a message inside its replay window", async () => {
    let time = 0;
    const store = createMemoryReplayStore({ maxEntries: 3, now: () => time });
    for (const key of ["a", "b", "c"]) {
      const claimed = store.claim(key, terms) as { token: string };
      store.complete(key, claimed.token, RETAIN);
    }
    expect(await codeOf(Promise.resolve().then(() => store.claim("d", terms)))).toBe("replay_store_full");
    expect(store.claim("a", terms)).toEqual({ state: "completed" });
    // Past the window (but inside the retention) the oldest completed entry may go.
    time += WINDOW;
    expect(store.claim("d", terms).state).toBe("acquired");
    expect(store.claim("a", terms).state).toBe("acquired");
  });

  it("reports each early eviction and never evicts a message still being processed", () => {
    let time = 0;
    const evicted: string[] = [];
    const store = createMemoryReplayStore({ maxEntries: 2, now: () => time, onEvict: (key) => evicted.push(key) });
    const processing = store.claim("slow", { leaseMs: 60_000, windowMs: WINDOW }) as { token: string };
    const done = store.claim("done", terms) as { token: string };
    store.complete("done", done.token, RETAIN);
    time += WINDOW;
    expect(store.claim("new", terms).state).toBe("acquired");
    expect(evicted).toEqual([replayKeyDigest("done")]);
    expect(store.claim("slow", terms).state).toBe("in_progress");
    expect(store.renew("slow", processing.token, 60_000)).toBe(true);
  });

  it("stays O(1) per claim when full: a full store of protected entries refuses in constant time", () => {
    let time = 0;
    const store = createMemoryReplayStore({ maxEntries: 50_000, now: () => time });
    for (let i = 0; i < 50_000; i++)
      store.complete(`k${i}`, (store.claim(`k${i}`, terms) as { token: string }).token, RETAIN);
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      try {
        store.claim(`x${i}`, terms);
      } catch {
        refused++;
      }
    }
    expect(refused).toBe(10_000);
    time += WINDOW;
    for (let i = 0; i < 50_000; i++) expect(store.claim(`y${i}`, terms).state).toBe("acquired");
  });

  it("refuses a nonsensical bound with invalid_options", () => {
    expect(() => createMemoryReplayStore({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });
});
