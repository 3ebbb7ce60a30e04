// The delivery tests start a real redis-server (the testkit's) under the testkit's one
// rule: a missing binary skips them locally, with a message, and fails them under CI=true.
import { findRedisServer, requireBinaries } from "@hooksec/testkit";

export { eventually, type RedisServer, sleep, startRedisServer } from "@hooksec/testkit";

/** For `describe.runIf`: false (with a message) when redis-server is missing locally; throws under CI=true. */
export const redisAvailable = requireBinaries("the @hooksec/delivery tests", { "redis-server": findRedisServer() });
