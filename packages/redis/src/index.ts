// Named re-exports only.
export { createRedisRateLimiter, type RedisRateLimiterOptions } from "./create-redis-rate-limiter.js";
export {
  createRedisReplayStore,
  REDIS_REPLAY_SCRIPTS,
  type RedisReplayStoreOptions,
} from "./create-redis-replay-store.js";
export {
  type RedisReplayOperation,
  RedisReplayStoreError,
  type RedisReplayStoreFailure,
} from "./redis-replay-store-error.js";
export type { IoRedisLike, NodeRedisLike, RedisClientKind, RedisClientLike, RedisScript } from "./redis-client.js";
