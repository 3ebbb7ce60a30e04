import { Redis } from "ioredis";
import { createClient } from "redis";
import type { RedisClientKind, RedisClientLike } from "../../src/index.js";

export interface TestClient {
  readonly kind: RedisClientKind;
  /** The client, as a user would pass it to `createRedisReplayStore`. */
  readonly client: RedisClientLike;
  /** Plain commands for assertions. */
  get(key: string): Promise<string | null>;
  pttl(key: string): Promise<number>;
  /** Any command, e.g. `["PEXPIRE", key, "1"]`, `["INFO", "commandstats"]`. */
  send(args: readonly string[]): Promise<unknown>;
  close(): void;
}

export interface TestClientOptions {
  /** Let commands issued while disconnected wait for the reconnection (both clients' default). Default true. */
  readonly offlineQueue?: boolean;
}

export const clientKinds: readonly RedisClientKind[] = ["ioredis", "node-redis"];

/** A connected client of either kind, reconnecting quickly (at most every 300 ms). */
export async function connectClient(
  kind: RedisClientKind,
  port: number,
  options: TestClientOptions = {},
): Promise<TestClient> {
  const offlineQueue = options.offlineQueue ?? true;
  if (kind === "ioredis") {
    const client = new Redis({
      host: "127.0.0.1",
      port,
      enableOfflineQueue: offlineQueue,
      retryStrategy: (attempt) => Math.min(attempt * 50, 300),
    });
    client.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", reject);
    });
    return {
      kind,
      client,
      get: (key) => client.get(key),
      pttl: (key) => client.pttl(key),
      send: ([command, ...args]) => client.call(command as string, ...args),
      close: () => client.disconnect(),
    };
  }
  const client = createClient({
    socket: { host: "127.0.0.1", port, reconnectStrategy: (retries: number) => Math.min(retries * 50, 300) },
    disableOfflineQueue: !offlineQueue,
  });
  client.on("error", () => {});
  await client.connect();
  return {
    kind,
    client,
    get: (key) => client.get(key),
    pttl: (key) => client.pTTL(key),
    send: (args) => client.sendCommand([...args]),
    close: () => client.destroy(),
  };
}

/** Calls per command since the last `CONFIG RESETSTAT`, from `INFO commandstats` (lower-case names, e.g. "evalsha"). */
export async function commandCalls(redis: TestClient): Promise<Record<string, number>> {
  const info = String(await redis.send(["INFO", "commandstats"]));
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1] as string] = Number(match[2]);
  return calls;
}
