// Redis memory per remembered message: 1 000 000 messages claimed and completed
// through createRedisReplayStore (ioredis, many in flight), Redis `used_memory`
// before and after, with 30- and 256-character ids; and the same for the previous
// layout (one key per message, `SET <prefix><key> c<36-char token> PX`, written by
// a Lua loop) as the baseline. Then a steady state: messages remembered for 2 s
// arriving for 10 s, to show that lapsed entries are swept (memory stays flat).
// Starts its own redis-server on a free loopback port. Imports the built packages
// (`pnpm build`). BENCH_IDS overrides the count.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedisReplayStore } from "@hooksec/redis";
import { findBinary, freePort, waitUntil } from "@hooksec/testkit";
import { Redis } from "ioredis";

const IDS = Number(process.env.BENCH_IDS ?? 1_000_000);
/** The store's `buckets` (default 65 536); e.g. BENCH_BUCKETS=1024 to see hash-table buckets (over 512 messages each). */
const BUCKETS = process.env.BENCH_BUCKETS === undefined ? undefined : Number(process.env.BENCH_BUCKETS);
const IN_FLIGHT = 512;
const TERMS = { leaseMs: 30_000, windowMs: 360_000 };
const RETAIN_MS = 259_200_000;
const NAMESPACE = "9:/webhooks:standard-webhooks::";

const binary = findBinary("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]);
if (binary === undefined) {
  console.log("redis-server not found: skipping the Redis memory benchmark (scripts/install-servers.sh installs it)");
  process.exit(process.env.CI === "true" ? 1 : 0);
}
const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), "hooksec-redis-memory-"));
const server = spawn(
  binary,
  ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
  { stdio: "ignore" },
);

const idOf = (i, length) => {
  const tail = i.toString(36);
  return `msg_${"0".repeat(Math.max(0, length - 4 - tail.length))}${tail}`.slice(0, length);
};

async function usedMemory(redis) {
  const info = await redis.info("memory");
  return Number(/^used_memory:(\d+)/m.exec(info)[1]);
}

/** Runs `message(i)` for i < count with IN_FLIGHT at once. */
async function drive(count, message) {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await message(next++);
    }),
  );
}

async function throughStore(redis, idLength) {
  await redis.flushall();
  const store = createRedisReplayStore({ client: redis, timeoutMs: 30_000, buckets: BUCKETS });
  const before = await usedMemory(redis);
  const started = performance.now();
  await drive(IDS, async (i) => {
    const key = NAMESPACE + idOf(i, idLength);
    const claimed = await store.claim(key, TERMS);
    if (claimed.state !== "acquired") throw new Error(`${key}: ${claimed.state}`);
    if (!(await store.complete(key, claimed.token, RETAIN_MS))) throw new Error(`${key} not completed`);
  });
  const seconds = (performance.now() - started) / 1000;
  const after = await usedMemory(redis);
  if ((await store.claim(NAMESPACE + idOf(7, idLength), TERMS)).state !== "completed")
    throw new Error("an id was forgotten");
  const encodings = new Map();
  for (let i = 0; i < 64; i++) {
    const encoding = await redis.object("ENCODING", await redis.randomkey());
    encodings.set(encoding, (encodings.get(encoding) ?? 0) + 1);
  }
  return { perId: (after - before) / IDS, seconds, encodings: [...encodings.keys()].join(", ") };
}

async function previousLayout(redis, idLength) {
  await redis.flushall();
  const before = await usedMemory(redis);
  // Old layout: one key per message, value "c" + "<32 hex>.<counter>", an expiry.
  for (let from = 0; from < IDS; from += 100_000) {
    await redis.eval(
      `for i = tonumber(ARGV[1]), tonumber(ARGV[2]) - 1 do
        local tail = string.format("%x", i)
        local id = "msg_" .. string.rep("0", math.max(0, tonumber(ARGV[3]) - 4 - #tail)) .. tail
        redis.call("SET", "hooksec:replay:" .. ARGV[4] .. id, "c0123456789abcdef0123456789abcdef." .. tail, "PX", ARGV[5])
      end
      return 1`,
      0,
      String(from),
      String(Math.min(from + 100_000, IDS)),
      String(idLength),
      NAMESPACE,
      String(RETAIN_MS),
    );
  }
  return (await usedMemory(redis)) - before;
}

async function steadyState(redis) {
  await redis.flushall();
  const store = createRedisReplayStore({ client: redis, timeoutMs: 30_000 });
  const before = await usedMemory(redis);
  const samples = [];
  let i = 0;
  const started = performance.now();
  // 2-second retention, messages arriving for 10 s: once warm, about 2 s worth are live.
  while (samples.length < 10) {
    await drive(2_000, async () => {
      const key = `${NAMESPACE}steady_${i++}`;
      const claimed = await store.claim(key, { leaseMs: 2_000, windowMs: 2_000 });
      if (claimed.state === "acquired") await store.complete(key, claimed.token, 2_000);
    });
    const second = Math.floor((performance.now() - started) / 1000);
    if (second > samples.length) samples.push({ second, messages: i, bytes: (await usedMemory(redis)) - before });
  }
  return samples;
}

try {
  await waitUntil("redis-server", () => answersPing(port), { intervalMs: 25 });
  const redis = new Redis({ host: "127.0.0.1", port });
  const version = /^redis_version:(\S+)/m.exec(await redis.info("server"))[1];
  const [, listpackEntries] = await redis.config("GET", "hash-max-listpack-entries");
  console.log(
    `${IDS.toLocaleString("en")} messages claimed and completed, used_memory before and after; redis-server ${version} (hash-max-listpack-entries ${listpackEntries}), Node ${process.version}\n`,
  );
  for (const length of BUCKETS === undefined ? [30, 256] : [30]) {
    const now = await throughStore(redis, length);
    const old = (await previousLayout(redis, length)) / IDS;
    console.log(
      `${String(length).padStart(3)}-character ids: ${now.perId.toFixed(1).padStart(6)} bytes/id (buckets: ${now.encodings}; ${Math.round((IDS * 2) / now.seconds).toLocaleString("en")} scripts/s)   previous layout (a key per message): ${old.toFixed(1)} bytes/id   ${(old / now.perId).toFixed(1)}x`,
    );
  }
  await redis.flushall();
  console.log("\nsteady state: 2 s retention, 10 s of arrivals (lapsed entries are swept as buckets grow):");
  for (const sample of await steadyState(redis)) {
    console.log(
      `  after ${String(sample.second).padStart(2)} s  ${sample.messages.toLocaleString("en").padStart(9)} messages in all   ${(sample.bytes / 1e6).toFixed(1).padStart(6)} MB`,
    );
  }
  redis.disconnect();
} finally {
  server.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}

function answersPing(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}
