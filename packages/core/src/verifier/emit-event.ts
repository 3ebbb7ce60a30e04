import type { WebhookEvent } from "./types.js";

/** Calls the user's hook; a throwing or rejecting hook can never break verification. */
export function emitEvent(onEvent: ((event: WebhookEvent) => unknown) | undefined, event: WebhookEvent): void {
  if (onEvent === undefined) return;
  try {
    const result = onEvent(event);
    if (typeof (result as Promise<unknown> | undefined)?.catch === "function") {
      (result as Promise<unknown>).catch(() => undefined);
    }
  } catch {
    // deliberately ignored: logging must not decide whether a webhook is accepted
  }
}
