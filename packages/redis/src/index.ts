// Named re-exports only.
export {
  createRedisReplayStore,
  REDIS_REPLAY_SCRIPTS,
  type RedisReplayStoreOptions,
} from "./create-redis-replay-store.js";
export { type RedisReplayOperation, RedisReplayStoreError, type RedisReplayStoreFailure } from "./redis-replay-store-error.js";
export type { IoRedisLike, NodeRedisLike, RedisClientKind, RedisClientLike, RedisScript } from "./redis-client.js";
