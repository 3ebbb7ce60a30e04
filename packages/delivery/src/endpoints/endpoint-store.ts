import { randomBytes } from "node:crypto";
import { WebhookError } from "@hooksec/core";
import type { Redis } from "ioredis";
import { checkId, randomId } from "../lib/ids.js";
import { defineScript } from "../lib/script.js";
import type { DeliveryKeys } from "../lib/keys.js";
import type { DisabledReason, EndpointInput, EndpointRecord, EndpointSecret } from "../types.js";

const ALL_EVENTS = "*";

// KEYS: record, subscriptions to leave..., subscriptions to join...; ARGV: expected json, next json, leave count, id.
const compareAndSetScript = defineScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local leave = tonumber(ARGV[3])
for i = 2, leave + 1 do redis.call('SREM', KEYS[i], ARGV[4]) end
for i = leave + 2, #KEYS do redis.call('SADD', KEYS[i], ARGV[4]) end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`);

// KEYS: record, endpoint index, subscriptions to join...; ARGV: record json, id.
// Only when the id is free, in one step: of two creates of one id exactly one succeeds.
const createIfAbsentScript = defineScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 3, #KEYS do redis.call('SADD', KEYS[i], ARGV[2]) end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return 1
`);

// KEYS: record, disabled flag, circuit, endpoint index, subscriptions to leave...; ARGV: expected json, id.
// Compare-and-delete: the subscriptions left are those of the record read, so an update
// in between (which may have joined others) makes the caller read again. The disabled
// flag and the circuit go with it, so an endpoint created later under the same id starts
// enabled and closed; its attempt log and dead letters stay, as the endpoint's history.
const removeIfUnchangedScript = defineScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 5, #KEYS do redis.call('SREM', KEYS[i], ARGV[2]) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('SREM', KEYS[4], ARGV[2])
return 1
`);

/** How many times a compare-and-set is retried when other writers keep changing the record. */
const CAS_ATTEMPTS = 20;

/** Endpoint records, their subscriptions and their disabled flag, in Redis. */
export interface EndpointStore {
  /** Stores a new endpoint; false (and nothing written) when the id is taken. */
  create(record: EndpointRecord): Promise<boolean>;
  get(id: string): Promise<EndpointRecord | undefined>;
  /** The record and its disabled flag in one round trip (a worker's read per job). */
  load(
    id: string,
  ): Promise<{ record: EndpointRecord | undefined; disabled: { reason: DisabledReason; at: number } | undefined }>;
  update(id: string, change: (record: EndpointRecord) => EndpointRecord): Promise<EndpointRecord>;
  /** Deletes the endpoint, its subscriptions, disabled flag and circuit; false when there was none. */
  remove(id: string): Promise<boolean>;
  subscribers(eventType: string): Promise<string[]>;
  list(): Promise<string[]>;
  /** Sets the flag; true when it was not set before (so only one worker reports it). */
  disable(id: string, reason: DisabledReason, at: number): Promise<boolean>;
  /** Clears the flag; true when it was set. */
  enable(id: string): Promise<boolean>;
}

export function createEndpointStore(redis: Redis, keys: DeliveryKeys): EndpointStore {
  const parse = (json: string | null): EndpointRecord | undefined =>
    json === null ? undefined : (JSON.parse(json) as EndpointRecord);

  return {
    async create(record) {
      const joined = record.eventTypes.map((type) => keys.subscribers(type));
      const created = await createIfAbsentScript(
        redis,
        [keys.endpoint(record.id), keys.endpoints(), ...joined],
        [JSON.stringify(record), record.id],
      );
      return created === 1;
    },
    get: async (id) => parse(await redis.get(keys.endpoint(id))),
    async load(id) {
      const [json, disabled] = await redis.mget(keys.endpoint(id), keys.disabled(id));
      return {
        record: parse(json ?? null),
        disabled:
          disabled === null || disabled === undefined
            ? undefined
            : (JSON.parse(disabled) as { reason: DisabledReason; at: number }),
      };
    },
    async update(id, change) {
      // Compare-and-set: retried when another writer changed the record in between.
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const json = await redis.get(keys.endpoint(id));
        const current = parse(json);
        if (json === null || current === undefined) throw new WebhookError("invalid_endpoint", `no endpoint ${id}`);
        const next = change(current);
        const removed = current.eventTypes.map((type) => keys.subscribers(type));
        const added = next.eventTypes.map((type) => keys.subscribers(type));
        const swapped = await compareAndSetScript(
          redis,
          [keys.endpoint(id), ...removed, ...added],
          [json, JSON.stringify(next), removed.length, id],
        );
        if (swapped === 1) return next;
      }
      throw new Error(`endpoint ${id} changed too often to update`);
    },
    async remove(id) {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const json = await redis.get(keys.endpoint(id));
        const current = parse(json);
        if (json === null || current === undefined) return false;
        const left = current.eventTypes.map((type) => keys.subscribers(type));
        const removed = await removeIfUnchangedScript(
          redis,
          [keys.endpoint(id), keys.disabled(id), keys.circuit(id), keys.endpoints(), ...left],
          [json, id],
        );
        if (removed === 1) return true;
      }
      throw new Error(`endpoint ${id} changed too often to remove`);
    },
    async subscribers(eventType) {
      return redis.sunion(keys.subscribers(eventType), keys.subscribers(ALL_EVENTS));
    },
    list: () => redis.smembers(keys.endpoints()),
    async disable(id, reason, at) {
      return (await redis.set(keys.disabled(id), JSON.stringify({ reason, at }), "NX")) === "OK";
    },
    async enable(id) {
      return (await redis.del(keys.disabled(id))) === 1;
    },
  };
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** Checks what a customer registered and builds the record to store. */
export function buildEndpointRecord(input: EndpointInput, now: number): EndpointRecord {
  if (input === null || typeof input !== "object")
    throw new WebhookError("invalid_options", "an endpoint must be an object");
  if (typeof input.url !== "string") throw new WebhookError("invalid_endpoint", "an endpoint needs a `url`");
  const eventTypes = input.eventTypes ?? [ALL_EVENTS];
  if (
    !Array.isArray(eventTypes) ||
    eventTypes.some((type) => typeof type !== "string" || type.length === 0 || type.length > 200)
  ) {
    throw new WebhookError("invalid_options", "eventTypes must be a list of non-empty strings");
  }
  const secret = input.secret ?? generateSecret();
  if (typeof secret !== "string" || secret.length === 0)
    throw new WebhookError("invalid_options", "secret must be a non-empty string");
  return {
    id: input.id === undefined ? randomId("ep") : checkId(input.id, "endpoint id"),
    url: input.url,
    eventTypes: [...new Set(eventTypes)],
    secrets: [{ secret }],
    ...(input.auth === undefined ? {} : { auth: input.auth }),
    ...(input.tls === undefined ? {} : { tls: input.tls }),
    ...(input.headers === undefined ? {} : { headers: input.headers }),
    ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
    createdAt: now,
  };
}

/** The secrets that still sign at `now`, newest first. */
export function liveSecrets(secrets: readonly EndpointSecret[], now: number): string[] {
  return secrets.filter((entry) => entry.expiresAt === undefined || entry.expiresAt > now).map((entry) => entry.secret);
}

/** A rotation: the new secret first; older ones sign until the grace period ends. */
export function rotateSecrets(
  secrets: readonly EndpointSecret[],
  secret: string,
  now: number,
  graceMs: number,
): EndpointSecret[] {
  const kept = secrets
    .filter((entry) => entry.expiresAt === undefined || entry.expiresAt > now)
    .map((entry) => ({
      secret: entry.secret,
      expiresAt: Math.min(entry.expiresAt ?? Number.POSITIVE_INFINITY, now + graceMs),
    }));
  return [{ secret }, ...kept.filter((entry) => entry.secret !== secret)];
}
