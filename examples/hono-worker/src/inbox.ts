import type { VerifiedWebhook } from "@hooksec/hono";

/** One event the app processed. */
export interface ProcessedEvent {
  readonly id: string;
  readonly type: string;
  readonly tenant: string | undefined;
  readonly keyId: string | undefined;
}

/**
 * Where the example "processes" events: it keeps them in the isolate's memory
 * (a Worker writes to D1, KV, a queue or a Durable Object here). An event of type `demo.fail_once` fails on its
 * first delivery, like a database that was briefly down, to show that the
 * sender's retry is then processed.
 */
export class Inbox {
  readonly processed: ProcessedEvent[] = [];
  readonly #failedOnce = new Set<string>();

  process(webhook: VerifiedWebhook): ProcessedEvent {
    const payload = webhook.json<{ type?: unknown }>();
    const type = typeof payload?.type === "string" ? payload.type : "unknown";
    if (type === "demo.fail_once" && !this.#failedOnce.has(webhook.id)) {
      this.#failedOnce.add(webhook.id);
      throw new Error(`processing ${webhook.id} failed (simulated outage)`);
    }
    const event = { id: webhook.id, type, tenant: webhook.tenant, keyId: webhook.keyId };
    this.processed.push(event);
    return event;
  }
}
