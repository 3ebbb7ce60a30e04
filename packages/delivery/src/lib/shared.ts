import type { RedisOptions } from "ioredis";
import type { Endpoint } from "@hooksec/core";
import { resolveRetrySchedule, type RetrySchedule } from "../retry/retry-schedule.js";
import type { DeliveryConnectionOptions, DeliveryEvent, EndpointRecord } from "../types.js";
import { type DeliveryKeys, deliveryKeys } from "./keys.js";

const DAY = 86_400_000;

/** What the dispatching side and the workers must agree on, resolved once. */
export interface Shared {
  readonly queueName: string;
  readonly prefix: string;
  readonly keys: DeliveryKeys;
  readonly schedule: RetrySchedule;
  readonly logRetentionMs: number;
  readonly logMaxPerEndpoint: number;
  readonly deadLetterRetentionMs: number;
  readonly now: () => number;
  readonly emit: (event: DeliveryEvent) => void;
  readonly connection: RedisOptions;
}

export const JOB_NAME = "deliver";
export const BACKOFF_TYPE = "hooksec";

/**
 * A job's data on the BullMQ queue (`delivery.queue`): everything a worker needs besides the
 * endpoint record. The body is stored once, as text or base64, so bytes survive JSON exactly.
 */
export interface DeliveryJobData {
  readonly messageId: string;
  readonly endpointId: string;
  readonly eventType?: string;
  readonly body: { readonly text: string } | { readonly base64: string };
  readonly dispatchedAt: number;
}

export function resolveShared(options: DeliveryConnectionOptions): Shared {
  const queueName = options.queueName ?? "hooksec-delivery";
  const prefix = options.prefix ?? "hooksec";
  const onEvent = options.onEvent;
  return {
    queueName,
    prefix,
    keys: deliveryKeys(prefix, queueName),
    schedule: resolveRetrySchedule(options.retry),
    logRetentionMs: options.retention?.logMs ?? 7 * DAY,
    logMaxPerEndpoint: options.retention?.logMaxPerEndpoint ?? 10_000,
    deadLetterRetentionMs: options.retention?.deadLetterMs ?? 30 * DAY,
    now: options.now ?? Date.now,
    emit(event) {
      if (onEvent === undefined) return;
      try {
        onEvent(event);
      } catch {
        // An event hook must never change a delivery.
      }
    },
    connection: options.connection,
  };
}

/** The core sender's view of an endpoint record. */
export function senderEndpoint(record: EndpointRecord): Endpoint {
  return {
    url: record.url,
    ...(record.tenant === undefined ? {} : { tenant: record.tenant }),
    ...(record.auth === undefined ? {} : { auth: record.auth }),
    ...(record.tls === undefined ? {} : { tls: record.tls }),
    ...(record.headers === undefined ? {} : { headers: record.headers }),
  };
}
