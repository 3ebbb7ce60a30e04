// `@hooksec/core/replay`: the ReplayStore contract and the in-memory default.
export type { ReplayStore } from "./replay-store.js";
export { createMemoryReplayStore, type MemoryReplayStoreOptions } from "./memory-replay-store.js";
