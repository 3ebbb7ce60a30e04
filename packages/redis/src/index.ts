// Named re-exports only.
export {
  createRedisReplayStore,
  RELEASE_SCRIPT,
  type RedisReplayStoreOptions,
} from "./create-redis-replay-store.js";
export { RedisReplayStoreError, type RedisReplayStoreFailure } from "./redis-replay-store-error.js";
export type { IoRedisLike, NodeRedisLike, RedisClientKind, RedisClientLike } from "./redis-client.js";
