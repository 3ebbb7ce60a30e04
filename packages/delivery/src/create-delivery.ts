import { WebhookError } from "@hooksec/core";
import { checkEndpoint } from "@hooksec/core/sender";
import { type JobsOptions, Queue } from "bullmq";
import { Redis } from "ioredis";
import { createCircuitBreaker, resolveCircuitOptions } from "./circuit/circuit-breaker.js";
import { createDeadLetterStore, type DeadLetterQuery } from "./dead-letters/dead-letter-store.js";
import { buildEndpointRecord, createEndpointStore, generateSecret, rotateSecrets } from "./endpoints/endpoint-store.js";
import { checkId, digest, jobIdOf, randomId } from "./lib/ids.js";
import { storeBody } from "./lib/payload.js";
import { BACKOFF_TYPE, type DeliveryJobData, JOB_NAME, resolveShared, senderEndpoint } from "./lib/shared.js";
import { createDeliveryLog } from "./log/delivery-log.js";
import type {
  AttemptRecord,
  DeadLetter,
  DeliveryOptions,
  EndpointInput,
  EndpointRecord,
  EndpointStatus,
} from "./types.js";

/** Options of `dispatch` and `publish`: the message id, an idempotency key and the event type. */
export interface DispatchOptions {
  /** The message id receivers deduplicate on; generated (`msg_` + 128 random bits) when absent. */
  readonly id?: string;
  /** The same key (per endpoint, or per event type for `publish`) never enqueues twice within `idempotencySeconds`. */
  readonly idempotencyKey?: string;
  /**
   * The event's type, recorded with each attempt and dead letter (and matched against endpoints' `eventTypes` by `publish`).
   */
  readonly eventType?: string;
}

/** What `dispatch` and `publish` queued: the message id and its endpoints, or that it was a duplicate. */
export interface Dispatched {
  readonly messageId: string;
  /** The endpoints the message is queued for. */
  readonly endpointIds: readonly string[];
  /** True when the idempotency key (or message id) was seen before: nothing new was queued. */
  readonly duplicate: boolean;
}

/** A change to an endpoint: the fields given replace the stored ones (secrets change only through `rotateSecret`). */
export interface EndpointUpdate {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly auth?: EndpointRecord["auth"];
  readonly tls?: EndpointRecord["tls"];
  readonly headers?: EndpointRecord["headers"];
}

/**
 * The dispatching side of durable delivery, built by {@link createDelivery}: endpoints, dispatch, dead letters, redelivery and the attempt log.
 */
export interface Delivery {
  /**
   * Queues one webhook for one endpoint and resolves once the job is persisted in Redis.
   * Refuses at once, before queueing anything, an unknown endpoint (`invalid_endpoint`), a
   * disabled one (`endpoint_disabled`: 410 Gone, failing too long, or `disable`), an endpoint
   * SSRF protection refuses (`ssrf_blocked`) and a payload that cannot be serialised (`invalid_options`).
   */
  dispatch(endpointId: string, payload: unknown, options?: DispatchOptions): Promise<Dispatched>;
  /** Fans one event out to every enabled endpoint subscribed to its type, all queued or none. */
  publish(eventType: string, payload: unknown, options?: Omit<DispatchOptions, "eventType">): Promise<Dispatched>;
  readonly endpoints: {
    /**
     * Registers an endpoint (its URL checked as `dispatch` would, a secret generated when absent) and returns it as stored.
     */
    create(input: EndpointInput): Promise<EndpointRecord>;
    /** The endpoint with its circuit and disabled state; `undefined` when there is none. */
    get(id: string): Promise<EndpointStatus | undefined>;
    /** The ids of every endpoint. */
    list(): Promise<string[]>;
    /** Changes an endpoint; a URL that `dispatch` would refuse never replaces a working one. */
    update(id: string, change: EndpointUpdate): Promise<EndpointRecord>;
    /**
     * Deletes an endpoint with its subscriptions, disabled flag and circuit; `false` when there was none.
     * Queued jobs for it then end as dead letters; its attempt log and dead letters stay.
     */
    remove(id: string): Promise<boolean>;
    /**
     * Starts signing with a new secret (generated when absent); the previous ones keep
     * signing beside it for `graceMs` (default `secretGraceMs`), then stop. Returns the new secret.
     */
    rotateSecret(id: string, options?: { secret?: string; graceMs?: number }): Promise<string>;
    /** Turns deliveries back on after a 410, a failure period or `disable`; closes the circuit. */
    enable(id: string): Promise<void>;
    /** Stops deliveries to the endpoint (`endpoint_disabled`) until `enable`, e.g. while its owner fixes it. */
    disable(id: string): Promise<void>;
  };
  readonly deadLetters: {
    /** Dead letters matching the query, with the BullMQ job each one keeps. */
    list(query?: DeadLetterQuery): Promise<Array<DeadLetter & { jobId: string }>>;
  };
  /**
   * Sends a dead-lettered message again (every endpoint it failed for), same id, a fresh schedule.
   * Returns how many. Moves nothing when one of those endpoints is disabled (`endpoint_disabled`:
   * enable it first), removed or refused (`invalid_endpoint`, `ssrf_blocked`).
   */
  redeliver(messageId: string): Promise<number>;
  /**
   * Sends again every dead letter of an endpoint from `since` (ms since the epoch) on. Returns how many.
   * Refuses a disabled endpoint (`endpoint_disabled`) as `dispatch` does.
   */
  redeliverAll(endpointId: string, since?: number): Promise<number>;
  readonly log: {
    /** Every logged attempt of one message, across its endpoints. */
    ofMessage(messageId: string): Promise<AttemptRecord[]>;
    /** An endpoint's logged attempts, from `since` (ms since the epoch) on, at most `limit`. */
    ofEndpoint(endpointId: string, query?: { since?: number; limit?: number }): Promise<AttemptRecord[]>;
  };
  /** The BullMQ queue, for dashboards and metrics. */
  readonly queue: Queue<DeliveryJobData>;
  /** Closes the queue's Redis connection; workers are closed separately. */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * The dispatching side of durable delivery: endpoints, dispatch and fan-out,
 * dead letters, redelivery and the log. Workers (`createDeliveryWorker`) send.
 *
 * @example
 * const delivery = createDelivery({ connection: { host: "127.0.0.1", port: 6379 } });
 * const endpoint = await delivery.endpoints.create({ url: "https://hooks.example.com/in", eventTypes: ["invoice.paid"] });
 * await delivery.publish("invoice.paid", { id: "inv_1" }, { idempotencyKey: "inv_1" });
 */
export function createDelivery(options: DeliveryOptions): Delivery {
  const shared = resolveShared(options);
  const { keys, now, emit, schedule } = shared;
  const idempotencySeconds = options.idempotencySeconds ?? 86_400;
  const secretGraceMs = options.secretGraceMs ?? DAY_MS;
  const redis = new Redis({ ...shared.connection, lazyConnect: false });
  redis.on("error", () => {});
  const queue = new Queue<DeliveryJobData>(shared.queueName, { connection: shared.connection, prefix: shared.prefix });
  queue.on("error", () => {});
  const store = createEndpointStore(redis, keys);
  const deadLetters = createDeadLetterStore(redis, keys, shared.deadLetterRetentionMs, now);
  const log = createDeliveryLog(
    redis,
    keys,
    { retentionMs: shared.logRetentionMs, maxPerEndpoint: shared.logMaxPerEndpoint },
    now,
  );
  const circuit = createCircuitBreaker(redis, keys.circuit, resolveCircuitOptions(undefined));
  const checkEndpointOf = (record: EndpointRecord) => checkEndpoint(senderEndpoint(record), options.ssrf);

  const jobOptions = (endpointId: string, messageId: string): JobsOptions => ({
    jobId: jobIdOf(endpointId, messageId),
    attempts: schedule.attempts,
    backoff: { type: BACKOFF_TYPE },
    // A finished job answers its id (and idempotency key) as long as the key lives.
    removeOnComplete: { age: idempotencySeconds },
    removeOnFail: { age: Math.ceil(shared.deadLetterRetentionMs / 1000) },
  });

  /** An enabled endpoint that passes the sender's checks, or a WebhookError. */
  async function usableEndpoint(id: string): Promise<EndpointRecord> {
    const { record, disabled } = await store.load(checkId(id, "endpoint id"));
    if (record === undefined) throw new WebhookError("invalid_endpoint", `no endpoint ${id}`);
    if (disabled !== undefined)
      throw new WebhookError("endpoint_disabled", `endpoint ${id} is disabled (${disabled.reason})`);
    checkEndpointOf(record);
    return record;
  }

  /** Claims the idempotency key; an existing claim answers with its message id. */
  async function claimKey(
    scope: string,
    key: string | undefined,
    messageId: string,
  ): Promise<{ messageId: string; duplicate: boolean }> {
    if (key === undefined) return { messageId, duplicate: false };
    if (typeof key !== "string" || key.length === 0 || key.length > 1024) {
      throw new WebhookError("invalid_options", "idempotencyKey must be a string of 1-1024 characters");
    }
    const redisKey = keys.idempotency(digest(`${scope}\n${key}`));
    if ((await redis.set(redisKey, messageId, "EX", idempotencySeconds, "NX")) === "OK")
      return { messageId, duplicate: false };
    const existing = await redis.get(redisKey);
    return existing === null ? claimKey(scope, key, messageId) : { messageId: existing, duplicate: true };
  }

  async function enqueue(
    endpointIds: readonly string[],
    payload: unknown,
    opts: DispatchOptions,
    scope: string,
  ): Promise<Dispatched> {
    const body = storeBody(payload);
    const proposed = opts.id === undefined ? randomId("msg") : checkId(opts.id, "message id");
    const claim = await claimKey(scope, opts.idempotencyKey, proposed);
    const messageId = claim.messageId;
    // Re-added even for a duplicate key: a no-op while the job exists (same job id),
    // and the repair of a dispatch that died between the claim and the queueing.
    const existing =
      claim.duplicate || opts.id !== undefined
        ? await Promise.all(endpointIds.map((id) => queue.getJob(jobIdOf(id, messageId))))
        : [];
    const dispatchedAt = now();
    await queue.addBulk(
      endpointIds.map((endpointId) => ({
        name: JOB_NAME,
        data: {
          messageId,
          endpointId,
          body,
          dispatchedAt,
          ...(opts.eventType === undefined ? {} : { eventType: opts.eventType }),
        },
        opts: jobOptions(endpointId, messageId),
      })),
    );
    const duplicate = claim.duplicate || (existing.length > 0 && existing.every((job) => job !== undefined));
    for (const endpointId of endpointIds) {
      emit({
        type: "dispatched",
        messageId,
        endpointId,
        duplicate,
        ...(opts.eventType === undefined ? {} : { eventType: opts.eventType }),
      });
    }
    return { messageId, endpointIds, duplicate };
  }

  async function redeliverJob(jobId: string): Promise<boolean> {
    const letter = await deadLetters.get(jobId);
    const job = await queue.getJob(jobId);
    if (job === undefined || !(await job.isFailed())) {
      // Expired, or already sent again: the letter is stale.
      if (letter !== undefined) await deadLetters.remove(jobId, letter);
      return false;
    }
    await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    if (letter !== undefined) {
      await deadLetters.remove(jobId, letter);
      emit({ type: "redelivered", messageId: letter.messageId, endpointId: letter.endpointId });
    }
    return true;
  }

  return {
    async dispatch(endpointId, payload, dispatchOptions = {}) {
      const record = await usableEndpoint(endpointId);
      storeBody(payload); // refuse an unserialisable payload before any claim
      return enqueue([record.id], payload, dispatchOptions, `endpoint:${record.id}`);
    },
    async publish(eventType, payload, publishOptions = {}) {
      if (typeof eventType !== "string" || eventType.length === 0)
        throw new WebhookError("invalid_options", "eventType must be a non-empty string");
      storeBody(payload);
      const ids = (await store.subscribers(eventType)).sort();
      const usable: string[] = [];
      for (const id of ids) {
        const { record, disabled } = await store.load(id);
        if (record === undefined || disabled !== undefined) continue;
        checkEndpointOf(record);
        usable.push(id);
      }
      if (usable.length === 0)
        return { messageId: publishOptions.id ?? randomId("msg"), endpointIds: [], duplicate: false };
      return enqueue(usable, payload, { ...publishOptions, eventType }, `event:${eventType}`);
    },
    endpoints: {
      async create(input) {
        const record = buildEndpointRecord(input, now());
        checkEndpointOf(record);
        if (!(await store.create(record)))
          throw new WebhookError("invalid_options", `endpoint ${record.id} exists: choose another id, or update it`);
        return record;
      },
      async get(id) {
        const { record, disabled } = await store.load(checkId(id, "endpoint id"));
        if (record === undefined) return undefined;
        return {
          endpoint: record,
          circuit: await circuit.snapshot(id),
          ...(disabled === undefined ? {} : { disabled }),
        };
      },
      list: () => store.list(),
      async update(id, change) {
        return store.update(checkId(id, "endpoint id"), (current) => {
          const rebuilt = buildEndpointRecord(
            { ...current, ...change, secret: current.secrets[0]?.secret ?? generateSecret() },
            current.createdAt,
          );
          const next = { ...rebuilt, secrets: current.secrets };
          // Checked before it is stored: a refused URL never replaces a good one.
          checkEndpointOf(next);
          return next;
        });
      },
      remove: (id) => store.remove(checkId(id, "endpoint id")),
      async rotateSecret(id, rotation = {}) {
        const secret = rotation.secret ?? generateSecret();
        const graceMs = rotation.graceMs ?? secretGraceMs;
        if (typeof graceMs !== "number" || !(graceMs >= 0))
          throw new WebhookError("invalid_options", "graceMs must be non-negative");
        const at = now();
        await store.update(checkId(id, "endpoint id"), (current) => ({
          ...current,
          secrets: rotateSecrets(current.secrets, secret, at, graceMs),
        }));
        return secret;
      },
      async enable(id) {
        await circuit.reset(checkId(id, "endpoint id"));
        if (await store.enable(id)) emit({ type: "endpoint_enabled", endpointId: id });
      },
      async disable(id) {
        if (await store.disable(checkId(id, "endpoint id"), "manual", now()))
          emit({ type: "endpoint_disabled", endpointId: id, reason: "manual" });
      },
    },
    deadLetters: { list: (query = {}) => deadLetters.list(query) },
    async redeliver(messageId) {
      const jobIds = await deadLetters.jobsOfMessage(checkId(messageId, "message id"));
      const letters = await Promise.all(jobIds.map((jobId) => deadLetters.get(jobId)));
      // Every endpoint checked before anything moves: all of the message's letters go back, or none.
      for (const endpointId of new Set(letters.map((letter) => letter?.endpointId)))
        if (endpointId !== undefined) await usableEndpoint(endpointId);
      let count = 0;
      for (const jobId of jobIds) if (await redeliverJob(jobId)) count++;
      return count;
    },
    async redeliverAll(endpointId, since = 0) {
      await usableEndpoint(endpointId);
      let count = 0;
      for (;;) {
        const letters = await deadLetters.list({ endpointId: checkId(endpointId, "endpoint id"), since, limit: 500 });
        if (letters.length === 0) return count;
        let moved = 0;
        for (const letter of letters) if (await redeliverJob(letter.jobId)) moved++;
        count += moved;
        if (letters.length < 500) return count;
      }
    },
    log: {
      ofMessage: (messageId) => log.ofMessage(checkId(messageId, "message id")),
      ofEndpoint: (endpointId, query) => log.ofEndpoint(checkId(endpointId, "endpoint id"), query),
    },
    queue,
    async close() {
      await queue.close();
      await redis.quit().catch(() => undefined);
    },
  };
}
