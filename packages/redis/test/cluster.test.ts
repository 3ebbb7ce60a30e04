import type { ReplayStore } from "@hooksec/core";
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisReplayStore, type RedisClientLike, RedisReplayStoreError } from "../src/index.js";
import { locate } from "../src/layout.js";
import { type RedisCluster, clusterAvailable, startRedisCluster } from "./support/redis-cluster.js";
import { sleep } from "./support/redis-server.js";

// The store on a real Redis Cluster (three masters, each with a replica, on
// loopback), through ioredis `Cluster` and node-redis `createCluster`, unchanged:
// every script touches one key (the message's bucket), so the client routes it by
// that key's slot. Then the master holding a claimed message is killed: while its
// slot has no master, claims fail closed; once its replica took over, the claim
// is still there (in progress), its holder completes it, and nobody else ever
// acquires the message.

const LEASE = 60_000;
const RETAIN = 259_200_000;
const terms = { leaseMs: LEASE, windowMs: 360_000 };
const PREFIX = "hooksec:replay:";

interface ClusterClient {
  readonly client: RedisClientLike;
  close(): Promise<void>;
}

async function connect(kind: "ioredis" | "node-redis", port: number): Promise<ClusterClient> {
  if (kind === "ioredis") {
    const client = new Cluster([{ host: "127.0.0.1", port }], {
      clusterRetryStrategy: () => 100,
      retryDelayOnClusterDown: 100,
    });
    client.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", reject);
    });
    return { client, close: async () => client.disconnect() };
  }
  const client = createCluster({
    rootNodes: [{ url: `redis://127.0.0.1:${port}` }],
    defaults: { socket: { reconnectStrategy: () => 100, connectTimeout: 500 } },
  });
  client.on("error", () => {});
  await client.connect();
  return { client: client as unknown as RedisClientLike, close: async () => client.destroy() };
}

async function outcome(promise: unknown): Promise<string> {
  try {
    const claimed = (await promise) as { state: string };
    return claimed.state;
  } catch (error) {
    return error instanceof RedisReplayStoreError ? `failed closed (${error.reason})` : `threw ${String(error)}`;
  }
}

describe.runIf(clusterAvailable).each(["ioredis", "node-redis"] as const)(
  "on a three-master Redis Cluster through %s",
  (kind) => {
    let cluster: RedisCluster;
    let first: ClusterClient;
    let second: ClusterClient;

    beforeAll(async () => {
      cluster = await startRedisCluster(3, 1);
      first = await connect(kind, cluster.masterPorts[0] as number);
      second = await connect(kind, cluster.masterPorts[1] as number);
    }, 90_000);
    afterAll(async () => {
      await first?.close();
      await second?.close();
      await cluster?.dispose();
    });

    it("works unchanged: messages on every master, in progress, completed, released, fenced", async () => {
      const stores = [first, second].map((client) =>
        createRedisReplayStore({ client: client.client, timeoutMs: 5000 }),
      );
      const [a, b] = stores as [ReplayStore, ReplayStore];
      for (let i = 0; i < 150; i++) {
        const key = `standard-webhooks::msg_${i}`;
        const claimed = await a.claim(key, terms);
        if (claimed.state !== "acquired") throw new Error(`${key}: ${claimed.state}`);
        expect((await b.claim(key, terms)).state).toBe("in_progress");
        if (i % 3 === 0) {
          await a.release(key, claimed.token);
          const again = await b.claim(key, terms);
          expect(again.state).toBe("acquired");
          expect(await a.complete(key, claimed.token, RETAIN)).toBe(false); // fenced: another claim holds it
          expect(await b.complete(key, (again as { token: string }).token, RETAIN)).toBe(true);
        } else {
          expect(await a.complete(key, claimed.token, RETAIN)).toBe(true);
        }
        expect(await b.claim(key, terms)).toEqual({ state: "completed" });
      }
      // The buckets are spread over all three masters.
      for (const port of cluster.masterPorts)
        expect(Number((await cluster.cli(port, "DBSIZE")).trim())).toBeGreaterThan(10);
    });

    it("a failover of the master holding a claimed message: claims fail closed meanwhile, nobody else acquires it, its holder completes it", async () => {
      const key = `standard-webhooks::msg_failover_${kind}`;
      const holderStore = createRedisReplayStore({ client: first.client, timeoutMs: 5000 });
      const othersStore = createRedisReplayStore({ client: second.client, timeoutMs: 300 });
      const claimed = await holderStore.claim(key, terms);
      if (claimed.state !== "acquired") throw new Error(`expected acquired, got ${claimed.state}`);
      const bucket = locate(PREFIX, key, 16).key;
      const master = await cluster.masterOf(bucket);
      // Replication is asynchronous: make sure the claim reached the replica before the crash.
      expect((await cluster.cli(master, "WAIT", "1", "5000")).trim()).toBe("1");
      await cluster.kill(master);

      // While the slot has no master: every claim fails closed (or, once the replica
      // took over, finds the message in progress). Never acquired.
      const seen: string[] = [];
      const started = Date.now();
      const deadline = started + 40_000;
      let replacement: ClusterClient | undefined;
      let holder = holderStore;
      let others = othersStore;
      for (;;) {
        if (kind === "node-redis" && replacement === undefined && Date.now() - started > 5_000) {
          // node-redis 5 learns a new topology only from a MOVED reply, which a dead
          // master never sends: its client keeps failing closed until it is made
          // anew (see "Redis Cluster" in the README). A new client finds the replica
          // promoted; the claim's token still fences, whichever client sends it.
          replacement = await connect(kind, cluster.masterPorts.find((port) => port !== master) as number);
          holder = createRedisReplayStore({ client: replacement.client, timeoutMs: 5000 });
          others = createRedisReplayStore({ client: replacement.client, timeoutMs: 300 });
        }
        const result = await outcome(others.claim(key, terms));
        seen.push(result);
        expect(result, `claims seen: ${seen.join(", ")}`).not.toBe("acquired");
        if (result === "in_progress") break;
        if (Date.now() > deadline) throw new Error(`no master took over: ${seen.join(", ")}`);
        await sleep(100);
      }
      expect(seen[0]).toMatch(/^failed closed/);
      expect(seen.filter((each) => each.startsWith("failed closed")).length).toBeGreaterThan(0);
      const promoted = await cluster.masterOf(
        bucket,
        cluster.masterPorts.find((port) => port !== master),
      );
      expect(promoted).not.toBe(master);

      // The holder's completion lands on the new master; from then on: a duplicate.
      let completed: boolean | undefined;
      for (let i = 0; i < 100 && completed === undefined; i++) {
        completed = await Promise.resolve(holder.complete(key, claimed.token, RETAIN)).catch(() => undefined);
        if (completed === undefined) await sleep(100);
      }
      expect(completed).toBe(true);
      expect(await others.claim(key, terms)).toEqual({ state: "completed" });
      expect(await holder.claim(key, terms)).toEqual({ state: "completed" });
      await replacement?.close();
    }, 90_000);
  },
);
