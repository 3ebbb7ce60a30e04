import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export type ScriptReply = string | number | null | ScriptReply[];

/** A Lua script run by its SHA (EVALSHA), loaded on first use or after a restart (NOSCRIPT). */
export function defineScript(
  source: string,
): (redis: Redis, keys: readonly string[], args: readonly (string | number)[]) => Promise<ScriptReply> {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (redis, keys, args) => {
    try {
      return (await redis.evalsha(sha, keys.length, ...keys, ...args)) as ScriptReply;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return (await redis.eval(source, keys.length, ...keys, ...args)) as ScriptReply;
    }
  };
}
