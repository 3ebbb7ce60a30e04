/**
 * The two Redis client shapes the store speaks to, described structurally so
 * neither client is a dependency. Only the commands the store sends are listed:
 * every operation is one Lua script on one key (`EVALSHA`, or `EVAL` when the
 * server does not have the script cached or the client has no `EVALSHA`).
 */

/** An ioredis `Redis` or `Cluster` (v4, v5). */
export interface IoRedisLike {
  /** ioredis' connection state ("ready", "reconnecting", ...): how it is told apart. */
  readonly status: string;
  /** Runs a Lua script (ioredis' `eval(script, numKeys, ...keys, ...args)`). */
  eval(script: string, numberOfKeys: number, ...keysAndArguments: (string | Buffer)[]): Promise<unknown>;
  /** Runs a cached script by its SHA-1; when absent, every call uses `eval`. */
  evalsha?(sha1: string, numberOfKeys: number, ...keysAndArguments: (string | Buffer)[]): Promise<unknown>;
}

/** A node-redis (`redis` / `@redis/client` v4, v5) client or cluster. */
export interface NodeRedisLike {
  /** node-redis' connection flag: how it is told apart. */
  readonly isOpen: boolean;
  /** Runs a Lua script (node-redis' `eval(script, { keys, arguments })`). */
  eval(script: string, options: { keys: string[]; arguments: (string | Buffer)[] }): Promise<unknown>;
  /** Runs a cached script by its SHA-1; when absent, every call uses `eval`. */
  evalSha?(sha1: string, options: { keys: string[]; arguments: (string | Buffer)[] }): Promise<unknown>;
}

/** Any client the store accepts. */
export type RedisClientLike = IoRedisLike | NodeRedisLike;

/** Which command signatures to use; detected from the client unless given. */
export type RedisClientKind = "ioredis" | "node-redis";

/** A Lua script and its SHA-1, as `EVALSHA` names it. */
export interface RedisScript {
  readonly source: string;
  readonly sha1: string;
}

/** The one command the store needs, whatever the client. */
export interface RedisCommands {
  /**
   * Runs `script` on one key: `EVALSHA sha 1 key ...args`, and `EVAL` (which
   * also caches the script on that server) when Redis answers `NOSCRIPT`.
   */
  runScript(script: RedisScript, key: string, args: (string | Buffer)[]): Promise<unknown>;
}

/** Picks the client's shape: ioredis has a string `status`, node-redis a boolean `isOpen`. */
export function detectClientKind(client: unknown): RedisClientKind | undefined {
  if (typeof client !== "object" || client === null) return undefined;
  const shape = client as { status?: unknown; isOpen?: unknown; eval?: unknown };
  if (typeof shape.eval !== "function") return undefined;
  if (typeof shape.status === "string") return "ioredis";
  if (typeof shape.isOpen === "boolean") return "node-redis";
  return undefined;
}

/** `NOSCRIPT No matching script...`: the server (restarted, flushed, a new cluster node) has not seen the script yet. */
function isNoScript(error: unknown): boolean {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === "string" && message.startsWith("NOSCRIPT");
}

/** Adapts either client to the command the store sends. */
export function redisCommands(client: RedisClientLike, kind: RedisClientKind): RedisCommands {
  let evalScript: (script: RedisScript, key: string, args: (string | Buffer)[]) => Promise<unknown>;
  let evalShaScript: ((script: RedisScript, key: string, args: (string | Buffer)[]) => Promise<unknown>) | undefined;
  if (kind === "ioredis") {
    const io = client as IoRedisLike;
    evalScript = (script, key, args) => io.eval(script.source, 1, key, ...args);
    if (typeof io.evalsha === "function") {
      evalShaScript = (script, key, args) => (io as Required<IoRedisLike>).evalsha(script.sha1, 1, key, ...args);
    }
  } else {
    const node = client as NodeRedisLike;
    evalScript = (script, key, args) => node.eval(script.source, { keys: [key], arguments: args });
    if (typeof node.evalSha === "function") {
      evalShaScript = (script, key, args) =>
        (node as Required<NodeRedisLike>).evalSha(script.sha1, { keys: [key], arguments: args });
    }
  }
  if (evalShaScript === undefined) return { runScript: evalScript };
  const viaSha = evalShaScript;
  return {
    runScript: (script, key, args) =>
      viaSha(script, key, args).catch((error: unknown) => {
        if (!isNoScript(error)) throw error;
        return evalScript(script, key, args);
      }),
  };
}
