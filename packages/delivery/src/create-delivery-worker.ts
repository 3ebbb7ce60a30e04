import { createSender, type DeliveryResult } from "@hooksec/core";
import { parseRetryAfter } from "@hooksec/core/sender";
import { createNodeTransport } from "@hooksec/core/sender/node";
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createAttemptStore } from "./attempts/attempt-store.js";
import { type CircuitTransition, type FailureRecorded, resolveCircuitOptions } from "./circuit/circuit-breaker.js";
import { createDeadLetterStore } from "./dead-letters/dead-letter-store.js";
import { createEndpointStore } from "./endpoints/endpoint-store.js";
import { createPreparedEndpoints } from "./endpoints/prepared-endpoints.js";
import { rotatingStandardWebhooks } from "./endpoints/signing-scheme.js";
import { loadBody } from "./lib/payload.js";
import { type DeliveryJobData, resolveShared } from "./lib/shared.js";
import { classifyAttempt, describeError } from "./retry/classify-attempt.js";
import { nextDelayMs } from "./retry/retry-schedule.js";
import type { AttemptRecord, DeadLetterReason, DeliveryWorkerOptions } from "./types.js";

/** A running delivery worker, built by {@link createDeliveryWorker}: it sends queued jobs until closed. */
export interface DeliveryWorker {
  /** The BullMQ worker, for its events and metrics. */
  readonly worker: Worker<DeliveryJobData>;
  /** Stops taking jobs, waits for the running ones, closes connections. */
  close(): Promise<void>;
}

/** Thrown to BullMQ when an attempt is to be retried: the delay hooksec computed for it. */
class RetryLater extends Error {
  override readonly name = "RetryLater";
  constructor(
    readonly delayMs: number,
    outcome: string,
  ) {
    super(`attempt failed (${outcome}); next in ${delayMs} ms`);
  }
}

const DAY_MS = 86_400_000;

/**
 * A worker process's deliveries: takes jobs from the queue and sends each with the
 * core sender (one attempt per job run; the schedule is hooksec's, handed to BullMQ
 * as a custom backoff), records every attempt, keeps endpoint health in Redis, and
 * dead-letters what gives up. Run as many as you like, on as many machines: a worker
 * that dies mid-delivery has its job picked up again by another (stalled-job recovery),
 * with the same message id.
 *
 * @example
 * const worker = createDeliveryWorker({ connection: { host: "127.0.0.1", port: 6379 }, concurrency: 32 });
 * process.on("SIGTERM", () => worker.close());
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const shared = resolveShared(options);
  const { keys, now, emit, schedule } = shared;
  const random = options.random ?? Math.random;
  const disableAfterMs = options.disableAfterMs ?? 5 * DAY_MS;
  const excerptBytes = options.responseExcerptBytes ?? 512;
  // Auto-pipelining: the few commands of concurrent jobs travel together.
  const redis = new Redis({ ...shared.connection, enableAutoPipelining: true });
  redis.on("error", () => {});
  const circuitOptions = resolveCircuitOptions(options.circuit);
  const attemptStore = createAttemptStore(redis, keys, circuitOptions, {
    retentionMs: shared.logRetentionMs,
    maxPerEndpoint: shared.logMaxPerEndpoint,
  });
  const endpoints = createEndpointStore(redis, keys);
  const deadLetters = createDeadLetterStore(redis, keys, shared.deadLetterRetentionMs, now);
  const prepared = createPreparedEndpoints(
    options.scheme ?? ((_endpoint, secrets) => rotatingStandardWebhooks(secrets)),
  );
  // One sender (one connection pool) for every endpoint: each send brings its endpoint's scheme.
  const sender = createSender({
    retry: { attempts: 1 },
    transport: options.transport ?? createNodeTransport(),
    ...(options.ssrf === undefined ? {} : { ssrf: options.ssrf }),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
  });

  function reportTransition(endpointId: string, transition: CircuitTransition | undefined): void {
    if (transition !== undefined) emit({ type: "circuit", endpointId, ...transition });
  }

  async function giveUp(job: Job<DeliveryJobData>, reason: DeadLetterReason, attempts: number): Promise<never> {
    const { messageId, endpointId, eventType } = job.data;
    await deadLetters.add(job.id ?? "", {
      messageId,
      endpointId,
      reason,
      at: now(),
      attempts,
      ...(eventType === undefined ? {} : { eventType }),
    });
    emit({ type: "dead_letter", messageId, endpointId, reason, attempts });
    throw new UnrecoverableError(`delivery given up: ${reason}`);
  }

  async function deliver(
    job: Job<DeliveryJobData>,
    token: string | undefined,
  ): Promise<{ status: number | undefined }> {
    const { messageId, endpointId } = job.data;
    const attempt = job.attemptsMade + 1;
    // One round trip: the endpoint, its disabled flag and the circuit's decision.
    const start = await attemptStore.begin(endpointId, now());
    if (start.recordJson === undefined) return giveUp(job, "endpoint_removed", job.attemptsMade);
    if (start.disabled !== undefined || start.decision === undefined)
      return giveUp(job, "endpoint_disabled", job.attemptsMade);
    const decision = start.decision;
    if (!decision.allowed) {
      // Not an attempt: the job waits for the circuit without using its schedule.
      // A little spread so the waiting jobs do not all wake in the same millisecond.
      const until = decision.retryAt + Math.floor(random() * 1000);
      emit({ type: "deferred", messageId, endpointId, reason: "circuit_open", untilMs: until });
      await job.moveToDelayed(until, token);
      throw new DelayedError();
    }
    reportTransition(endpointId, decision.transition);

    const startedAt = now();
    const { endpoint, scheme } = prepared.get(endpointId, start.recordJson, startedAt);
    const clock = performance.now();
    let result: DeliveryResult | undefined;
    let thrown: unknown;
    try {
      result = await sender.send(endpoint, loadBody(job.data.body), { id: messageId, scheme });
    } catch (error) {
      thrown = error;
    }
    const durationMs = Math.round(performance.now() - clock);
    const status = result?.lastStatus;
    const excerpt = result?.responseExcerpt?.slice(0, excerptBytes);
    const retryAfterHeader = result?.retryAfter ?? null;
    const inProgress =
      status === 409 && (excerpt?.includes("message_in_progress") === true || (retryAfterHeader ?? null) !== null);
    const error = thrown ?? result?.error;
    const { outcome, verdict } = classifyAttempt({ status, inProgress, error });

    let retryInMs: number | undefined;
    if (verdict.action === "retry" && attempt < (job.opts.attempts ?? schedule.attempts)) {
      const retryAfterMs = verdict.honourRetryAfter
        ? parseRetryAfter(retryAfterHeader, now(), schedule.maxRetryAfterMs)
        : undefined;
      retryInMs = nextDelayMs(schedule, attempt, retryAfterMs, random);
    }
    const entry: AttemptRecord = {
      messageId,
      endpointId,
      attempt,
      at: startedAt,
      durationMs,
      outcome,
      ...(status === undefined ? {} : { status }),
      ...(excerpt === undefined || excerpt.length === 0 ? {} : { responseExcerpt: excerpt }),
      ...(error === undefined || status !== undefined ? {} : { error: describeError(error) }),
      ...(retryInMs === undefined ? {} : { retryInMs }),
    };
    // The attempt is on record, and the circuit moved, before the job moves on: a worker
    // dying after this line only causes one more (recorded) attempt, never a missing one.
    const health =
      verdict.action === "delivered"
        ? "success"
        : "endpointFailure" in verdict && verdict.endpointFailure
          ? "failure"
          : "none";
    const finished = await attemptStore.finish(entry, health, now());
    emit({
      type: "attempt",
      messageId,
      endpointId,
      attempt,
      outcome,
      durationMs,
      ...(status === undefined ? {} : { status }),
      ...(retryInMs === undefined ? {} : { retryInMs }),
    });

    switch (verdict.action) {
      case "delivered":
        reportTransition(endpointId, finished.closed);
        emit({ type: "delivered", messageId, endpointId, attempts: attempt });
        return { status };
      case "gone":
        if (await endpoints.disable(endpointId, "gone", now()))
          emit({ type: "endpoint_disabled", endpointId, reason: "gone" });
        return giveUp(job, "gone", attempt);
      case "give_up":
        await failedFor(endpointId, finished.failure);
        return giveUp(job, outcome === "ssrf_blocked" ? "ssrf_blocked" : "rejected", attempt);
      case "retry": {
        if (await failedFor(endpointId, finished.failure)) return giveUp(job, "endpoint_disabled", attempt);
        if (retryInMs === undefined) return giveUp(job, "exhausted", attempt);
        throw new RetryLater(retryInMs, outcome);
      }
    }
  }

  /** Reports a failure counted against the endpoint; true when it disabled it (failing for `disableAfterMs`). */
  async function failedFor(endpointId: string, recorded: FailureRecorded | undefined): Promise<boolean> {
    if (recorded === undefined) return false;
    const at = now();
    reportTransition(endpointId, recorded.transition);
    if (at - recorded.failingSince < disableAfterMs) return false;
    if (await endpoints.disable(endpointId, "failing", at))
      emit({ type: "endpoint_disabled", endpointId, reason: "failing" });
    return true;
  }

  const worker = new Worker<DeliveryJobData>(shared.queueName, deliver, {
    connection: { ...shared.connection, maxRetriesPerRequest: null },
    prefix: shared.prefix,
    concurrency: options.concurrency ?? 16,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 10,
    settings: {
      // hooksec's schedule: the delay the attempt computed (Retry-After included), or the
      // schedule's own for a run that failed before its attempt (Redis briefly away).
      backoffStrategy: (attemptsMade, _type, error) =>
        error instanceof RetryLater ? error.delayMs : nextDelayMs(schedule, attemptsMade, undefined, random),
    },
  });
  worker.on("error", () => {});
  // A job the engine failed by itself (stalled too often, or its last run broke before an
  // attempt was decided) is still a dead letter, listable and redeliverable.
  worker.on("failed", (job, error) => {
    if (
      job === undefined ||
      job.id === undefined ||
      error instanceof UnrecoverableError ||
      error.name === "UnrecoverableError"
    )
      return;
    if (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/i.test(error.message)) return;
    const jobId = job.id;
    void deadLetters
      .has(jobId)
      .then(async (known) => {
        if (known) return;
        const { messageId, endpointId, eventType } = job.data;
        const reason: DeadLetterReason = /stalled/i.test(error.message) ? "stalled" : "exhausted";
        await deadLetters.add(jobId, {
          messageId,
          endpointId,
          reason,
          at: now(),
          attempts: job.attemptsMade,
          ...(eventType === undefined ? {} : { eventType }),
        });
        emit({ type: "dead_letter", messageId, endpointId, reason, attempts: job.attemptsMade });
      })
      .catch(() => undefined);
  });

  return {
    worker,
    async close() {
      await worker.close();
      await sender.close();
      await redis.quit().catch(() => undefined);
    },
  };
}
