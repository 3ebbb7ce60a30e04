// The in-memory replay store stays O(1) per claim however full it is: the cost of
// a claim (and of completing it) in an empty store is the baseline; the same
// claims in a store holding 1 000 000 completed messages past their window
// (each new claim evicts one), and a claim refused by a store full of messages
// still inside their window (replay_store_full), are printed as ratios of it.
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
console.log(`in-memory replay store, ${FULL.toLocaleString("en")} entries when full, median of ${ROUNDS} rounds of ${BATCH.toLocaleString("en")}`);
console.log(`  claim + complete, empty store                    ${base.toFixed(0).padStart(5)} ns   baseline`);
console.log(`  claim + complete, full (each claim evicts one)   ${median(rows.evicting).toFixed(0).padStart(5)} ns   ${(median(rows.evicting) / base).toFixed(2)}x`);
console.log(`  claim refused, full of messages in their window  ${median(rows.refusing).toFixed(0).padStart(5)} ns   ${(median(rows.refusing) / base).toFixed(2)}x`);
