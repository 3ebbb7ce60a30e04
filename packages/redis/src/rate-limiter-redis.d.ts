// The Redis limiter alone: the package's main entry also loads its Mongo, SQL,
// DynamoDB, cluster... limiters, which a Redis user never needs at startup.
declare module "rate-limiter-flexible/lib/RateLimiterRedis.js" {
  import type { RateLimiterRedis } from "rate-limiter-flexible";
  const RateLimiterRedisClass: typeof RateLimiterRedis;
  export default RateLimiterRedisClass;
}
