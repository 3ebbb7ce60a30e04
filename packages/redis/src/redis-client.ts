/**
 * The two Redis client shapes the store speaks to, described structurally so
 * neither client is a dependency. Only the commands the store sends are listed.
 */

/** An ioredis `Redis` or `Cluster` (v4, v5). */
export interface IoRedisLike {
  /** ioredis' connection state ("ready", "reconnecting", ...): how it is told apart. */
  readonly status: string;
  set(key: string, value: string, px: "PX", milliseconds: number, nx: "NX"): Promise<unknown>;
  get(key: string): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
}

/** A node-redis (`redis` / `@redis/client` v4, v5) client or cluster. */
export interface NodeRedisLike {
  /** node-redis' connection flag: how it is told apart. */
  readonly isOpen: boolean;
  set(key: string, value: string, options: { NX: true; PX: number }): Promise<unknown>;
  get(key: string): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Any client the store accepts. */
export type RedisClientLike = IoRedisLike | NodeRedisLike;

/** Which command signatures to use; detected from the client unless given. */
export type RedisClientKind = "ioredis" | "node-redis";

/** The two commands the store needs, whatever the client. */
export interface RedisCommands {
  /** `SET key value NX PX ttl`: resolves to the raw reply ("OK" or null). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<unknown>;
  /** `GET key`. */
  get(key: string): Promise<unknown>;
  /** `EVAL script 1 key ...args`. */
  evalOnKey(script: string, key: string, args: string[]): Promise<unknown>;
}

/** Picks the client's shape: ioredis has a string `status`, node-redis a boolean `isOpen`. */
export function detectClientKind(client: unknown): RedisClientKind | undefined {
  if (typeof client !== "object" || client === null) return undefined;
  const shape = client as { status?: unknown; isOpen?: unknown; set?: unknown; get?: unknown; eval?: unknown };
  if (typeof shape.set !== "function" || typeof shape.get !== "function" || typeof shape.eval !== "function") return undefined;
  if (typeof shape.status === "string") return "ioredis";
  if (typeof shape.isOpen === "boolean") return "node-redis";
  return undefined;
}

/** Adapts either client to the two commands the store sends. */
export function redisCommands(client: RedisClientLike, kind: RedisClientKind): RedisCommands {
  if (kind === "ioredis") {
    const io = client as IoRedisLike;
    return {
      setIfAbsent: (key, value, ttlMs) => io.set(key, value, "PX", ttlMs, "NX"),
      get: (key) => io.get(key),
      evalOnKey: (script, key, args) => io.eval(script, 1, key, ...args),
    };
  }
  const node = client as NodeRedisLike;
  return {
    // `{ NX, PX }` is understood by node-redis v4 and (deprecated but kept) v5.
    setIfAbsent: (key, value, ttlMs) => node.set(key, value, { NX: true, PX: ttlMs }),
    get: (key) => node.get(key),
    evalOnKey: (script, key, args) => node.eval(script, { keys: [key], arguments: args }),
  };
}
