import type { VerifierOptions, WebhookError, WebhookEvent } from "@hooksec/core";

/**
 * Refusals the middleware decides before the verifier sees the request (a body
 * over the limit, a body a parser already read) go to the same `onEvent` hook.
 */
export function reportRefusal(options: VerifierOptions | undefined, error: WebhookError, startedAt: number): void {
  const onEvent = options?.onEvent;
  if (onEvent === undefined) return;
  const event: WebhookEvent = {
    type: "rejected",
    scheme: options?.scheme.name ?? "unknown",
    durationMs: performance.now() - startedAt,
    code: error.code,
    status: error.status,
    detail: error.detail,
    error,
  };
  try {
    const result = onEvent(event);
    if (result !== undefined) Promise.resolve(result).catch(() => undefined);
  } catch {
    // logging must never decide whether a webhook is accepted
  }
}
