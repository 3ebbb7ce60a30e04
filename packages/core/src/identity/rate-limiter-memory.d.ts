// The in-memory limiter alone: the package's main entry also loads its Redis,
// Mongo, cluster... limiters, which need Node modules the edge runtime lacks.
declare module "rate-limiter-flexible/lib/RateLimiterMemory.js" {
  import type { RateLimiterMemory } from "rate-limiter-flexible";
  const RateLimiterMemoryClass: typeof RateLimiterMemory;
  export default RateLimiterMemoryClass;
}
