import { WebhookError, isWebhookError } from "../errors/webhook-error.js";
import { type Awaitable, isPromiseLike } from "../lib/awaitable.js";
import { headerReader } from "../lib/headers.js";
import { readBodyWithLimit } from "../lib/read-body.js";
import { createMemoryReplayStore } from "../replay/memory-replay-store.js";
import type { ReplayStore } from "../replay/replay-store.js";
import type { SchemeVerification } from "../schemes/types.js";
import { type AccessResult, createAccessCheck, establishedBefore } from "./access.js";
import { emitEvent } from "./emit-event.js";
import { checkFreshness } from "./freshness.js";
import type { ConnectionInfo, VerifierOptions, WebhookParts } from "./types.js";
import { VerifiedWebhook } from "./verified-webhook.js";

const DEFAULT_PAST_SECONDS = 300;
const DEFAULT_FUTURE_SECONDS = 60;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const UNTIMESTAMPED_TTL_SECONDS = 24 * 60 * 60;
const noRelease = async (): Promise<void> => {};

interface ClaimOutcome {
  readonly duplicate: boolean;
  readonly release: () => Promise<void>;
}
const UNCLAIMED: ClaimOutcome = { duplicate: false, release: noRelease };
const DUPLICATE: ClaimOutcome = { duplicate: true, release: noRelease };

function storeUnavailable(operation: "claim" | "release", cause: unknown): WebhookError {
  return new WebhookError("replay_store_unavailable", `the replay store could not ${operation} the message`, { cause });
}

export interface Verifier {
  /** Verifies a standard `Request` (reads its body, once, within `maxBodyBytes`). */
  verify(request: Request, connection?: ConnectionInfo): Promise<VerifiedWebhook>;
  /** Verifies what an adapter already has (headers, raw bytes): no `Request` is built. */
  verifyParts(parts: WebhookParts): Promise<VerifiedWebhook>;
  /** The body limit, so adapters can stop reading early. */
  readonly maxBodyBytes: number;
  /**
   * Reports a refusal an adapter decided before calling the verifier (a body over
   * the limit, a body a parser already read) to `onEvent`, like any other rejection.
   * `startedAt` is the adapter's `performance.now()` when the request arrived.
   */
  reportRefusal(error: WebhookError, startedAt?: number): void;
}

/**
 * Builds a verifier: access, signature, freshness, replay, in that order, so
 * nothing unauthenticated ever reaches the replay store.
 *
 * @example
 * const verifier = createVerifier({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
 * const webhook = await verifier.verify(request); // throws WebhookError
 * if (!webhook.duplicate) await handle(webhook.json());
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { scheme, onEvent } = options;
  if (scheme === undefined || typeof scheme.verify !== "function") {
    throw new WebhookError("invalid_options", "createVerifier needs a `scheme`");
  }
  const pastSeconds = nonNegative(options.tolerance?.pastSeconds ?? DEFAULT_PAST_SECONDS, "tolerance.pastSeconds");
  const futureSeconds = nonNegative(options.tolerance?.futureSeconds ?? DEFAULT_FUTURE_SECONDS, "tolerance.futureSeconds");
  const window = { pastMs: pastSeconds * 1000, futureMs: futureSeconds * 1000 };
  const maxBodyBytes = nonNegative(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, "maxBodyBytes");
  const now = options.now ?? Date.now;
  const access = createAccessCheck(options);

  const replay = options.replay === false ? undefined : (options.replay ?? {});
  const store: ReplayStore | undefined = replay && (replay.store ?? createMemoryReplayStore({ now }));
  // A claim must outlive every moment at which a signature of the message is still fresh.
  const ttlMs =
    1000 *
    nonNegative(
      replay?.ttlSeconds ?? (scheme.timestamped ? pastSeconds + futureSeconds + 60 : UNTIMESTAMPED_TTL_SECONDS),
      "replay.ttlSeconds",
    );
  const rejectDuplicates = replay?.duplicates === "reject";

  /** Step 4. Synchronous when the store is (the in-memory default), to keep the hot path short. */
  function claim(verification: SchemeVerification, tenant: string | undefined): Awaitable<ClaimOutcome> {
    if (store === undefined) return UNCLAIMED;
    // The tenant's length is part of the key so no tenant/id pair can collide with another.
    const key = `${scheme.name}:${tenant === undefined ? "" : `${tenant.length}:${tenant}`}:${verification.replayKey ?? verification.id}`;
    const settle = (token: string | null): ClaimOutcome => {
      if (token === null) {
        if (rejectDuplicates) throw new WebhookError("duplicate_message", `message ${verification.id} was already claimed`);
        return DUPLICATE;
      }
      return { duplicate: false, release: () => releaseClaim(key, token) };
    };
    let token: Awaitable<string | null>;
    try {
      token = store.claim(key, ttlMs);
    } catch (cause) {
      throw storeUnavailable("claim", cause);
    }
    if (!isPromiseLike(token)) return settle(token);
    return token.then(settle, (cause: unknown) => {
      throw storeUnavailable("claim", cause);
    });
  }

  async function releaseClaim(key: string, token: string): Promise<void> {
    try {
      await store?.release(key, token);
    } catch (cause) {
      throw storeUnavailable("release", cause);
    }
  }

  async function run(parts: WebhookParts, startedAt: number): Promise<VerifiedWebhook> {
    let tenant: string | undefined;
    let caller: AccessResult | undefined;
    try {
      if (parts.body.length > maxBodyBytes) {
        throw new WebhookError("body_too_large", `body of ${parts.body.length} bytes exceeds ${maxBodyBytes}`);
      }
      const header = headerReader(parts.headers);
      // 1. access: who is calling (IP allowlist, client certificate → tenant)
      if (access !== undefined) {
        caller = await access(parts, header);
        tenant = caller.tenant;
      }
      // 2. signature: constant time, any key of the keyring
      // One reading of the clock serves the scheme (JWT exp/nbf) and the freshness check.
      const time = now();
      const verification = await scheme.verify({ method: parts.method, url: parts.url, header, body: parts.body, tenant, now: time });
      // 3. freshness: only schemes that sign a time can be checked
      if (scheme.timestamped) {
        if (verification.timestamp === undefined) throw new WebhookError("missing_header", "no signed timestamp");
        checkFreshness(verification.timestamp, time, window);
      }
      // 4. replay: claim the signed id, atomically
      const claimed = claim(verification, tenant);
      const { duplicate, release } = isPromiseLike(claimed) ? await claimed : claimed;
      const webhook = new VerifiedWebhook({
        id: verification.id,
        timestamp: verification.timestamp,
        body: verification.payload ?? parts.body,
        scheme: scheme.name,
        timestamped: scheme.timestamped,
        keyId: verification.keyId,
        tenant,
        duplicate,
        release,
        clientIp: caller?.clientIp,
        certificate: caller?.certificate,
      });
      if (onEvent !== undefined) {
        emitEvent(onEvent, {
          type: duplicate ? "duplicate" : "verified",
          scheme: scheme.name,
          durationMs: performance.now() - startedAt,
          id: webhook.id,
          keyId: webhook.keyId,
          tenant,
          ...callerFields(caller),
        });
      }
      return webhook;
    } catch (caught) {
      const known = caller ?? establishedBefore(caught);
      throw reject(caught, startedAt, tenant ?? known?.tenant, known);
    }
  }

  function reject(caught: unknown, startedAt: number, tenant: string | undefined, caller?: AccessResult): WebhookError {
    // Anything a scheme throws on hostile input is a refusal, never a crash or a 500.
    const error = isWebhookError(caught)
      ? caught
      : new WebhookError("invalid_signature", "verification failed unexpectedly", { cause: caught });
    emitEvent(onEvent, {
      type: "rejected",
      scheme: scheme.name,
      durationMs: onEvent === undefined ? 0 : performance.now() - startedAt,
      tenant,
      ...callerFields(caller),
      retryAfterSeconds: error.retryAfterSeconds,
      code: error.code,
      status: error.status,
      detail: error.detail,
      error,
    });
    return error;
  }

  return {
    maxBodyBytes,
    reportRefusal(error, startedAt) {
      reject(error, startedAt ?? performance.now(), undefined);
    },
    async verify(request, connection) {
      const startedAt = onEvent === undefined ? 0 : performance.now();
      let body: Uint8Array;
      try {
        body = await readBodyWithLimit(request, maxBodyBytes);
      } catch (caught) {
        throw reject(caught, startedAt, undefined);
      }
      return run({ method: request.method, url: request.url, headers: request.headers, body, connection }, startedAt);
    },
    verifyParts(parts) {
      return run(parts, onEvent === undefined ? 0 : performance.now());
    },
  };
}

/** What the access step established, for events (absent fields stay absent). */
function callerFields(caller: AccessResult | undefined) {
  return {
    clientIp: caller?.clientIp,
    certificateSubject: caller?.certificate?.subject,
    daysUntilExpiry: caller?.certificate?.daysUntilExpiry,
  };
}

function nonNegative(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new WebhookError("invalid_options", `${name} must be a non-negative number`);
  }
  return value;
}
