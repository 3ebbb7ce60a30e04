import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { findBinary, findRedisServer, requireBinaries, waitUntil } from "@hooksec/testkit";

const run = promisify(execFile);

const redisServerBinary = findRedisServer();
/** redis-cli, needed to create a cluster. */
const redisCliBinary = findBinary("redis-cli", ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"]);

/** For `describe.runIf`: false (with a message) when either binary is missing locally; throws under CI=true. */
export const clusterAvailable = requireBinaries("the Redis Cluster tests", {
  "redis-server": redisServerBinary,
  "redis-cli": redisCliBinary,
});

interface ClusterNode {
  readonly port: number;
  readonly process: ChildProcess;
}

export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** The ports of the nodes started as masters. */
  readonly masterPorts: readonly number[];
  /** Runs redis-cli against one node; returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The port of the master serving `key`'s slot now (as that node's view of the cluster says). */
  masterOf(key: string, askPort?: number): Promise<number>;
  /** Kills the node on `port` (SIGKILL: a crash). */
  kill(port: number): Promise<void>;
  /** Waits until every live node says cluster_state:ok. */
  waitHealthy(ms?: number): Promise<void>;
  dispose(): Promise<void>;
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || !(await isFree(port)) || !(await isFree(port + 10_000))) continue;
    taken.add(port);
    return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A real Redis Cluster on loopback: `masters` masters, each with `replicasPerMaster`
 * replicas, created with `redis-cli --cluster create`. A short node timeout, so
 * a failover takes about a second or two.
 */
export async function startRedisCluster(masters = 3, replicasPerMaster = 1): Promise<RedisCluster> {
  if (redisServerBinary === undefined || redisCliBinary === undefined) {
    throw new Error("redis-server and redis-cli are needed (scripts/install-servers.sh installs them)");
  }
  const server = redisServerBinary;
  const cliBinary = redisCliBinary;
  const dir = mkdtempSync(join(tmpdir(), "hooksec-redis-cluster-"));
  const taken = new Set<number>();
  const nodes: ClusterNode[] = [];
  const cli = async (port: number, ...args: string[]): Promise<string> =>
    (await run(cliBinary, ["-h", "127.0.0.1", "-p", String(port), ...args], { timeout: 30_000 })).stdout;
  const alive = (node: ClusterNode) => node.process.exitCode === null && node.process.signalCode === null;
  try {
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
      const port = await clusterPort(taken);
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const child = spawn(
        server,
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "nodes.conf",
          "--cluster-node-timeout",
          "1000",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          nodeDir,
        ],
        { stdio: "ignore" },
      );
      nodes.push({ port, process: child });
    }
    for (const node of nodes) {
      await waitUntil(
        `redis-server on ${node.port}`,
        async () => (await cli(node.port, "PING").catch(() => "")).startsWith("PONG"),
        { intervalMs: 25 },
      );
    }
    await run(
      cliBinary,
      [
        "--cluster",
        "create",
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        "--cluster-replicas",
        String(replicasPerMaster),
        "--cluster-yes",
      ],
      { timeout: 60_000 },
    );
  } catch (error) {
    for (const node of nodes) node.process.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const cluster: RedisCluster = {
    nodes,
    masterPorts: nodes.slice(0, masters).map((node) => node.port),
    cli,
    async masterOf(key, askPort) {
      const port = askPort ?? nodes.find(alive)?.port;
      const slot = Number((await cli(port as number, "CLUSTER", "KEYSLOT", key)).trim());
      const shards = await cli(port as number, "CLUSTER", "SLOTS");
      // redis-cli prints CLUSTER SLOTS flat: from, to, then per node ip, port, id.
      const lines = shards.split("\n").map((line) => line.trim());
      for (let i = 0; i + 4 < lines.length; i++) {
        const from = Number(lines[i]);
        const to = Number(lines[i + 1]);
        if (
          Number.isInteger(from) &&
          Number.isInteger(to) &&
          lines[i + 2] === "127.0.0.1" &&
          slot >= from &&
          slot <= to
        ) {
          return Number(lines[i + 3]);
        }
      }
      throw new Error(`no master for slot ${slot}:\n${shards}`);
    },
    async kill(port) {
      const node = nodes.find((each) => each.port === port);
      if (node === undefined || !alive(node)) return;
      const exited = new Promise<void>((resolve) => node.process.once("exit", () => resolve()));
      node.process.kill("SIGKILL");
      await exited;
    },
    async waitHealthy(ms = 30_000) {
      await waitUntil(
        "cluster_state:ok on every live node",
        async () => {
          for (const node of nodes.filter(alive)) {
            if (!(await cli(node.port, "CLUSTER", "INFO").catch(() => "")).includes("cluster_state:ok")) return false;
          }
          return true;
        },
        { intervalMs: 100, timeoutMs: ms },
      );
    },
    async dispose() {
      for (const node of nodes) node.process.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.waitHealthy();
  return cluster;
}
