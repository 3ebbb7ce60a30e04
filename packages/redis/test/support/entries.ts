import { DEFAULT_BUCKETS, decodeEntry, locate } from "../../src/layout.js";
import type { TestClient } from "./clients.js";

// The tests look at what the store holds through its layout (src/layout.ts):
// a 12-byte entry per message in a bucket hash. Binary fields travel as hex
// and are converted in Lua, so any client's plain `send` can do it.

const DEFAULT_PREFIX = "hooksec:replay:";
const BITS = Math.log2(DEFAULT_BUCKETS);

const FROM_HEX = `local field = string.gsub(ARGV[1], "..", function(h) return string.char(tonumber(h, 16)) end)
local clock = redis.call("TIME")
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local v = redis.call("HGET", KEYS[1], field)
`;
const READ_LUA = `${FROM_HEX}if not v then return false end
return {string.gsub(v, ".", function(c) return string.format("%02x", string.byte(c)) end), tostring(now)}`;
/** Rewrites the entry's time to now (it has lapsed), keeping its state and token. */
const LAPSE_LUA = `${FROM_HEX}if not v or #v ~= 12 then return 0 end
local bytes, rest = {}, now
for i = 6, 1, -1 do
  bytes[i] = rest % 256
  rest = (rest - bytes[i]) / 256
end
redis.call("HSET", KEYS[1], field, string.sub(v, 1, 1) .. string.char(bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6]) .. string.sub(v, 8))
return 1`;

export interface Held {
  readonly state: "p" | "c";
  readonly token: string;
  readonly ttlMs: number;
}

/** The live entry of message key `id`, or undefined (absent or lapsed); throws on a value that is not a hooksec state. */
export async function entryOf(
  redis: TestClient,
  id: string,
  prefix = DEFAULT_PREFIX,
  bits = BITS,
): Promise<Held | undefined> {
  const at = locate(prefix, id, bits);
  const reply = (await redis.send(["EVAL", READ_LUA, "1", at.key, at.field.toString("hex")])) as
    | [string, string]
    | null;
  if (reply === null || !Array.isArray(reply)) return undefined;
  const decoded = decodeEntry(Buffer.from(reply[0], "hex"));
  if (decoded === undefined) throw new Error(`${prefix}${id} holds ${reply[0]}, not a hooksec state`);
  const ttlMs = decoded.expiresAt - Number(reply[1]);
  return ttlMs > 0 ? { state: decoded.state, token: decoded.token, ttlMs } : undefined;
}

/** "p<token>" / "c<token>" while the entry of `id` is live, else null (what the old one-key layout showed with GET). */
export async function held(redis: TestClient, id: string, prefix = DEFAULT_PREFIX): Promise<string | null> {
  const entry = await entryOf(redis, id, prefix);
  return entry === undefined ? null : `${entry.state}${entry.token}`;
}

/** The ms left of the entry of `id`, or -2 when there is none. */
export async function heldTtl(redis: TestClient, id: string, prefix = DEFAULT_PREFIX): Promise<number> {
  return (await entryOf(redis, id, prefix))?.ttlMs ?? -2;
}

/** Makes the processing lease (or completion) of `id` lapse now. */
export async function lapse(redis: TestClient, id: string, prefix = DEFAULT_PREFIX, bits = BITS): Promise<void> {
  const at = locate(prefix, id, bits);
  if ((await redis.send(["EVAL", LAPSE_LUA, "1", at.key, at.field.toString("hex")])) !== 1)
    throw new Error(`${prefix}${id} holds nothing to lapse`);
}

/** Writes a value that is not a hooksec state where the entry of `id` would be. */
export async function writeForeign(
  redis: TestClient,
  id: string,
  value: string,
  prefix = DEFAULT_PREFIX,
): Promise<void> {
  const at = locate(prefix, id, BITS);
  await redis.send([
    "EVAL",
    `${FROM_HEX}redis.call("HSET", KEYS[1], field, ARGV[2]) return 1`,
    "1",
    at.key,
    at.field.toString("hex"),
    value,
  ]);
}

/** The raw value at the entry of `id` (hex), or null. */
export async function rawEntry(
  redis: TestClient,
  id: string,
  prefix = DEFAULT_PREFIX,
  bits = BITS,
): Promise<string | null> {
  const at = locate(prefix, id, bits);
  const reply = (await redis.send(["EVAL", READ_LUA, "1", at.key, at.field.toString("hex")])) as
    | [string, string]
    | null;
  return Array.isArray(reply) ? reply[0] : null;
}
