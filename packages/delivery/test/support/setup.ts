import { Redis } from "ioredis";
import {
  createDelivery,
  createDeliveryWorker,
  type Delivery,
  type DeliveryEvent,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  type DeliveryOptions,
} from "../../src/index.js";
import type { RedisServer } from "./redis-server.js";

/** Loopback receivers only: tests opt 127.0.0.1 back in, and plain http. */
export const loopback = { allowCidrs: ["127.0.0.0/8"], allowHttp: true } as const;

let counter = 0;

/** A delivery and its workers on a fresh queue name, with every event collected. */
export function harness(redis: RedisServer, options: Partial<DeliveryOptions> = {}) {
  const queueName = `q${process.pid}-${++counter}`;
  const events: DeliveryEvent[] = [];
  const base = {
    connection: { host: "127.0.0.1", port: redis.port },
    queueName,
    ssrf: loopback,
    onEvent: (event: DeliveryEvent) => events.push(event),
  };
  const delivery: Delivery = createDelivery({ ...base, ...options });
  const workers: DeliveryWorker[] = [];
  const client = new Redis({ host: "127.0.0.1", port: redis.port });
  return {
    delivery,
    events,
    client,
    queueName,
    startWorker(workerOptions: Partial<DeliveryWorkerOptions> = {}): DeliveryWorker {
      const worker = createDeliveryWorker({
        ...base,
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        stalledIntervalMs: 1000,
        ...workerOptions,
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await delivery.queue.obliterate({ force: true }).catch(() => undefined);
      await delivery.close();
      client.disconnect();
    },
  };
}
