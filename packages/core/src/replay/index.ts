// `@hooksec/core/replay`: the ReplayStore state machine and the in-memory default.
export type { Awaitable } from "../lib/awaitable.js";
export type { ClaimResult, ClaimTerms, ReplayStore } from "./replay-store.js";
export {
  createMemoryReplayStore,
  type MemoryReplayStore,
  type MemoryReplayStoreOptions,
} from "./memory-replay-store.js";
