// The in-memory replay store stays O(1) per claim however full it is: the cost of
// a claim (and of completing it) in an empty store is the baseline; the same
// claims in a store holding 1 000 000 completed messages past their window
// (each new claim evicts one), and a claim refused by a store full of messages
// still inside their window (replay_store_full), are printed as ratios of it.
// Then its memory: process heap (and typed arrays) per remembered id at 1 000 000
// completed ids, with 30- and 256-character ids (the store keeps a 128-bit digest
// of each key, so the figure does not depend on the id).
import { createMemoryReplayStore } from "@hooksec/core";

const FULL = 1_000_000;
const BATCH = 200_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const terms = { leaseMs: 30_000, windowMs: 420_000 };
const RETAIN = 72 * 3600_000;
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

let clock = 0;
function filledStore() {
  const store = createMemoryReplayStore({ maxEntries: FULL, now: () => clock });
  for (let i = 0; i < FULL; i++) store.complete(`old_${i}`, store.claim(`old_${i}`, terms).token, RETAIN);
  return store;
}

let sequence = 0;
function claimAndComplete(store, count) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const key = `msg_${++sequence}`;
    const claimed = store.claim(key, terms);
    if (claimed.state !== "acquired") throw new Error(`unexpected ${claimed.state}`);
    store.complete(key, claimed.token, RETAIN);
  }
  return Number(process.hrtime.bigint() - start) / count;
}

function refusals(store, count) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    try {
      store.claim(`refused_${++sequence}`, terms);
      throw new Error("a full store accepted a claim");
    } catch (error) {
      if (error.code !== "replay_store_full") throw error;
    }
  }
  return Number(process.hrtime.bigint() - start) / count;
}

const rows = { empty: [], evicting: [], refusing: [] };
for (let round = 0; round < ROUNDS; round++) {
  clock = 0;
  rows.empty.push(claimAndComplete(createMemoryReplayStore({ maxEntries: FULL, now: () => clock }), BATCH));
  clock = 0;
  const protectedStore = filledStore();
  rows.refusing.push(refusals(protectedStore, BATCH));
  clock = terms.windowMs; // every old entry is now past its window: evictable, oldest first
  rows.evicting.push(claimAndComplete(protectedStore, BATCH));
  globalThis.gc?.();
}
const base = median(rows.empty);
console.log(
  `in-memory replay store, ${FULL.toLocaleString("en")} entries when full, median of ${ROUNDS} rounds of ${BATCH.toLocaleString("en")}`,
);
console.log(`  claim + complete, empty store                    ${base.toFixed(0).padStart(5)} ns   baseline`);
console.log(
  `  claim + complete, full (each claim evicts one)   ${median(rows.evicting).toFixed(0).padStart(5)} ns   ${(median(rows.evicting) / base).toFixed(2)}x`,
);
console.log(
  `  claim refused, full of messages in their window  ${median(rows.refusing).toFixed(0).padStart(5)} ns   ${(median(rows.refusing) / base).toFixed(2)}x`,
);

/** A distinct flat string of `length` characters (no rope sharing a prefix with the others). */
function idOf(i, length) {
  const tail = i.toString(36);
  return `msg_${"0".repeat(Math.max(0, length - 4 - tail.length))}${tail}`.slice(0, length) + "";
}

/** Bytes of heap plus ArrayBuffers per id once FULL completed ids are held. */
function bytesPerId(idLength) {
  globalThis.gc?.();
  globalThis.gc?.();
  const before = process.memoryUsage();
  clock = 0;
  const store = createMemoryReplayStore({ maxEntries: FULL, now: () => clock });
  for (let i = 0; i < FULL; i++) {
    const key = `9:/webhooks:standard-webhooks::${idOf(i, idLength)}`;
    store.complete(key, store.claim(key, terms).token, RETAIN);
  }
  globalThis.gc?.();
  globalThis.gc?.();
  const after = process.memoryUsage();
  if (store.claim(`9:/webhooks:standard-webhooks::${idOf(7, idLength)}`, terms).state !== "completed")
    throw new Error("an id was forgotten");
  return (after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers)) / FULL;
}

if (globalThis.gc === undefined) {
  console.log("  (memory per id: run with --expose-gc, as `pnpm bench` does)");
} else {
  console.log(
    `memory per remembered id at ${FULL.toLocaleString("en")} completed ids (heap + typed arrays, after GC):`,
  );
  for (const length of [30, 256])
    console.log(
      `  ${String(length).padStart(3)}-character ids   ${bytesPerId(length).toFixed(1).padStart(6)} bytes/id`,
    );
}
