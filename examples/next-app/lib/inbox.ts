import type { VerifiedWebhook } from "@hooksec/next";

/** One event the app processed. */
export interface ProcessedEvent {
  readonly id: string;
  readonly type: string;
  readonly source: string;
}

interface InboxState {
  readonly processed: ProcessedEvent[];
  readonly failedOnce: Set<string>;
}

// One inbox per server process: route bundles may each load this module, so the
// state lives on globalThis. A real app writes to its database here.
const holder = globalThis as { __hooksecInbox?: InboxState };
holder.__hooksecInbox ??= { processed: [], failedOnce: new Set() };
const state: InboxState = holder.__hooksecInbox;

/**
 * Processes one verified event. An event of type `demo.fail_once` fails on its
 * first delivery, like a database that was briefly down, to show that the
 * sender's retry is then processed.
 */
export function processEvent(webhook: VerifiedWebhook, source: string): ProcessedEvent {
  const payload = webhook.json<{ type?: unknown }>();
  const type = typeof payload?.type === "string" ? payload.type : "unknown";
  if (type === "demo.fail_once" && !state.failedOnce.has(webhook.id)) {
    state.failedOnce.add(webhook.id);
    throw new Error(`processing ${webhook.id} failed (simulated outage)`);
  }
  const event = { id: webhook.id, type, source };
  state.processed.push(event);
  return event;
}

export function processedEvents(): readonly ProcessedEvent[] {
  return state.processed;
}
