import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryReplayStore } from "./memory-replay-store.js";

describe("createMemoryReplayStore", () => {
  it("lets a key be claimed once until its TTL passes", () => {
    let now = 1000;
    const store = createMemoryReplayStore({ now: () => now });
    const token = store.claim("k", 500);
    expect(typeof token).toBe("string");
    expect(store.claim("k", 500)).toBeNull();
    now += 499;
    expect(store.claim("k", 500)).toBeNull();
    now += 1;
    expect(store.claim("k", 500)).toEqual(expect.any(String));
  });

  it("releases only with the claimant's token", () => {
    const store = createMemoryReplayStore();
    const token = store.claim("k", 60_000) as string;
    store.release("k", "someone else's token");
    expect(store.claim("k", 60_000)).toBeNull();
    store.release("k", token);
    const again = store.claim("k", 60_000);
    expect(again).toEqual(expect.any(String));
    expect(again).not.toBe(token);
  });

  it("stays within maxEntries, forgetting the oldest claim first", () => {
    const store = createMemoryReplayStore({ maxEntries: 3 });
    for (const key of ["a", "b", "c", "d"]) expect(store.claim(key, 60_000)).not.toBeNull();
    expect(store.claim("a", 60_000)).not.toBeNull(); // evicted, so claimable again
    expect(store.claim("c", 60_000)).toBeNull();
    expect(store.claim("d", 60_000)).toBeNull();
  });

  it("refuses a nonsensical bound", () => {
    expect(() => createMemoryReplayStore({ maxEntries: 0 })).toThrow(RangeError);
  });

  it("never lets the same id be claimed twice, including under concurrent claims", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.stringMatching(/^[a-e]{1,2}$/), { minLength: 1, maxLength: 200 }), async (keys) => {
        const store = createMemoryReplayStore();
        // All claims start before any settles, as concurrent deliveries would.
        const results = await Promise.all(keys.map(async (key) => ({ key, token: await store.claim(key, 60_000) })));
        const winners = new Map<string, number>();
        for (const { key, token } of results) if (token !== null) winners.set(key, (winners.get(key) ?? 0) + 1);
        expect([...winners.values()].every((count) => count === 1)).toBe(true);
        expect(new Set(winners.keys())).toEqual(new Set(keys));
      }),
    );
  });
});
