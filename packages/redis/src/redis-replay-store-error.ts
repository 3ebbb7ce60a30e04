/** The `ReplayStore` operation that failed. */
export type RedisReplayOperation = "claim" | "renew" | "complete" | "release";

/** Why a Redis operation did not give an answer the store can trust. */
export type RedisReplayStoreFailure = "timeout" | "command_failed" | "unexpected_reply";

/**
 * What the Redis store throws (the verifier turns it into a `WebhookError`
 * with code `replay_store_unavailable`, status 503) and what `onError` receives.
 * The client's own error, if any, is the `cause`.
 */
export class RedisReplayStoreError extends Error {
  override readonly name = "RedisReplayStoreError";
  readonly operation: RedisReplayOperation;
  readonly reason: RedisReplayStoreFailure;
  /** The message's key, prefix included (its entry lives in one of the store's bucket hashes: see the README). */
  readonly key: string;
  /** True when `failOpen` let the webhook through despite this error. */
  readonly failedOpen: boolean;

  constructor(
    fields: { operation: RedisReplayOperation; reason: RedisReplayStoreFailure; key: string; failedOpen: boolean },
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.operation = fields.operation;
    this.reason = fields.reason;
    this.key = fields.key;
    this.failedOpen = fields.failedOpen;
  }
}
