import { WebhookError, isWebhookError } from "../errors/webhook-error.js";
import { isPromiseLike } from "../lib/awaitable.js";
import { headerReader } from "../lib/headers.js";
import { type BodySource, readBody } from "../lib/read-body.js";
import { createMemoryReplayStore } from "../replay/memory-replay-store.js";
import { emitEvent } from "./emit-event.js";
import { type LeaseOutcome, NO_LEASE } from "./message-lease.js";
import { type AccessResult, createAccessCheck, establishedBefore } from "./steps/access.js";
import { checkFreshness } from "./steps/freshness.js";
import { type ReplaySettings, claimMessage } from "./steps/replay.js";
import { verifySignature } from "./steps/signature.js";
import type { ConnectionInfo, VerifierOptions, WebhookEvent, WebhookParts } from "./types.js";
import { VerifiedWebhook } from "./verified-webhook.js";

const DEFAULT_PAST_SECONDS = 300;
const DEFAULT_FUTURE_SECONDS = 60;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_LEASE_SECONDS = 30;
const DEFAULT_RETAIN_SECONDS = 72 * 60 * 60;
/** Schemes that sign no time: a captured delivery stays valid, so its id is protected this long. */
const UNTIMESTAMPED_WINDOW_SECONDS = 24 * 60 * 60;

/**
 * Checks incoming webhooks (access, signature, freshness, replay) and returns them verified, or throws a `WebhookError`.
 */
export interface Verifier {
  /** Verifies a standard `Request` (reads its body, once, within `maxBodyBytes`). */
  verify(request: Request, connection?: ConnectionInfo): Promise<VerifiedWebhook>;
  /** Verifies what an adapter already has (headers, raw bytes): no `Request` is built. */
  verifyParts(parts: WebhookParts): Promise<VerifiedWebhook>;
  /** The body limit. */
  readonly maxBodyBytes: number;
}

/** The verifier's machinery, shared with the receive lifecycle (not public). */
export interface Verification {
  readonly maxBodyBytes: number;
  /** The processing lease, in ms (0 without replay protection: nothing to renew). */
  readonly leaseMs: number;
  /** Reads a body within the limit; a refusal is reported like any other. */
  read(source: BodySource, declaredLength: string | null | undefined, startedAt: number): Promise<Uint8Array>;
  verifyParts(parts: WebhookParts, startedAt: number): Promise<VerifiedWebhook>;
  /** Reports `type` for `webhook` to `onEvent`. */
  report(type: WebhookEvent["type"], webhook: VerifiedWebhook, startedAt: number, extra?: Partial<WebhookEvent>): void;
  /** Turns anything thrown into a `WebhookError` and reports it (setup mistakes included). */
  reject(caught: unknown, startedAt: number): WebhookError;
  /** `performance.now()` when someone listens, else 0 (no clock read on the hot path). */
  start(): number;
}

/**
 * Builds a verifier: access, signature, freshness, replay, in that order, so
 * nothing unauthenticated ever reaches the replay store.
 *
 * @example
 * const verifier = createVerifier({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
 * const webhook = await verifier.verify(request); // throws WebhookError
 * if (!webhook.duplicate) {
 *   try { await handle(webhook.json()); await webhook.complete(); }
 *   catch (err) { await webhook.release(); throw err; }
 * }
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return verifierOf(createVerification(options));
}

/** The public face of a verification. */
export function verifierOf(verification: Verification): Verifier {
  return {
    maxBodyBytes: verification.maxBodyBytes,
    async verify(request, connection) {
      const startedAt = verification.start();
      const body = await verification.read(request, undefined, startedAt);
      return verification.verifyParts(
        { method: request.method, url: request.url, headers: request.headers, body, connection },
        startedAt,
      );
    },
    verifyParts(parts) {
      return verification.verifyParts(parts, verification.start());
    },
  };
}

export function createVerification(options: VerifierOptions): Verification {
  if (options === undefined || options === null || typeof options !== "object") {
    throw new WebhookError("invalid_options", "pass the verifier options: { scheme: standardWebhooks({ secret }) }");
  }
  const { scheme, onEvent } = options;
  if (scheme === undefined || scheme === null || typeof scheme.verify !== "function") {
    throw new WebhookError(
      "invalid_options",
      "the options need a `scheme`, for example { scheme: standardWebhooks({ secret }) } with the whsec_ secret your sender gave you",
    );
  }
  const pastSeconds = nonNegative(options.tolerance?.pastSeconds ?? DEFAULT_PAST_SECONDS, "tolerance.pastSeconds");
  const futureSeconds = nonNegative(
    options.tolerance?.futureSeconds ?? DEFAULT_FUTURE_SECONDS,
    "tolerance.futureSeconds",
  );
  const window = { pastMs: pastSeconds * 1000, futureMs: futureSeconds * 1000 };
  const maxBodyBytes = nonNegative(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, "maxBodyBytes");
  const now = options.now ?? Date.now;
  const access = createAccessCheck(options);
  const replay = replaySettings(options, pastSeconds + futureSeconds, now, (key) =>
    emitEvent(onEvent, { type: "evicted", scheme: scheme.name, durationMs: 0, detail: key }),
  );
  const start = () => (onEvent === undefined ? 0 : performance.now());

  async function verifyParts(parts: WebhookParts, startedAt: number): Promise<VerifiedWebhook> {
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
      // 2. signature: constant time, any key of the keyring. One reading of the
      // clock serves the scheme (JWT exp/nbf) and the freshness check.
      const time = now();
      const verification = await verifySignature(scheme, parts, header, tenant, time);
      // 3. freshness: only schemes that sign a time can be checked
      if (scheme.timestamped) {
        if (verification.timestamp === undefined) throw new WebhookError("missing_header", "no signed timestamp");
        checkFreshness(verification.timestamp, time, window);
      }
      // 4. replay: claim the signed id in the processing state machine, atomically
      let lease = NO_LEASE;
      let duplicate = false;
      let webhook: VerifiedWebhook | undefined;
      if (replay !== undefined) {
        // A lease settles only after the webhook holding it exists.
        const reportLease = (outcome: LeaseOutcome) => webhook !== undefined && report(outcome, webhook, 0);
        const claimed = claimMessage(replay, scheme.name, verification, tenant, parts.url, reportLease);
        const admission = isPromiseLike(claimed) ? await claimed : claimed;
        duplicate = admission.duplicate;
        if (!admission.duplicate) lease = admission.lease;
      }
      webhook = new VerifiedWebhook({
        id: verification.id,
        timestamp: verification.timestamp,
        body: verification.payload ?? parts.body,
        scheme: scheme.name,
        timestamped: scheme.timestamped,
        keyId: verification.keyId,
        tenant,
        duplicate,
        lease,
        clientIp: caller?.clientIp,
        certificate: caller?.certificate,
      });
      if (onEvent !== undefined) report(duplicate ? "duplicate" : "verified", webhook, startedAt);
      return webhook;
    } catch (caught) {
      throw reject(caught, startedAt, tenant, caller ?? establishedBefore(caught));
    }
  }

  function report(
    type: WebhookEvent["type"],
    webhook: VerifiedWebhook,
    startedAt: number,
    extra?: Partial<WebhookEvent>,
  ): void {
    if (onEvent === undefined) return;
    emitEvent(onEvent, {
      type,
      scheme: scheme.name,
      durationMs: startedAt === 0 ? 0 : performance.now() - startedAt,
      id: webhook.id,
      keyId: webhook.keyId,
      tenant: webhook.tenant,
      clientIp: webhook.clientIp,
      certificateSubject: webhook.certificate?.subject,
      daysUntilExpiry: webhook.certificate?.daysUntilExpiry,
      ...extra,
    });
  }

  function reject(caught: unknown, startedAt: number, tenant?: string, caller?: AccessResult): WebhookError {
    // Anything a scheme throws on hostile input is a refusal, never a crash or a 500.
    const error = isWebhookError(caught)
      ? caught
      : new WebhookError("invalid_signature", "verification failed unexpectedly", { cause: caught });
    emitEvent(onEvent, {
      type: error.code === "message_in_progress" ? "in_progress" : "rejected",
      scheme: scheme.name,
      durationMs: onEvent === undefined || startedAt === 0 ? 0 : performance.now() - startedAt,
      tenant: tenant ?? caller?.tenant,
      clientIp: caller?.clientIp,
      certificateSubject: caller?.certificate?.subject,
      daysUntilExpiry: caller?.certificate?.daysUntilExpiry,
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
    leaseMs: replay?.leaseMs ?? 0,
    start,
    async read(source, declaredLength, startedAt) {
      try {
        return await readBody(source, maxBodyBytes, declaredLength);
      } catch (caught) {
        throw reject(caught, startedAt);
      }
    },
    verifyParts,
    report,
    reject: (caught, startedAt) => reject(caught, startedAt),
  };
}

function replaySettings(
  options: VerifierOptions,
  toleranceSeconds: number,
  now: () => number,
  onEvict: (key: string) => void,
): ReplaySettings | undefined {
  if (options.replay === false) return undefined;
  const replay = options.replay ?? {};
  if (typeof replay !== "object" || replay === null)
    throw new WebhookError("invalid_options", "replay must be an options object or false");
  if ("ttlSeconds" in replay) {
    throw new WebhookError(
      "invalid_options",
      "replay.ttlSeconds was replaced by replay.retainSeconds (how long processed ids are remembered) and replay.leaseSeconds",
    );
  }
  // A claim must outlive every moment at which a signature of the message is still fresh.
  const windowSeconds = options.scheme.timestamped ? toleranceSeconds + 60 : UNTIMESTAMPED_WINDOW_SECONDS;
  const retainSeconds = nonNegative(
    replay.retainSeconds ?? Math.max(DEFAULT_RETAIN_SECONDS, windowSeconds),
    "replay.retainSeconds",
  );
  if (retainSeconds < windowSeconds) {
    throw new WebhookError(
      "invalid_options",
      `replay.retainSeconds (${retainSeconds}) is shorter than the replay window (${windowSeconds} s: the tolerance plus a minute, or 24 h for schemes without a timestamp): a captured delivery could be processed again. Raise it to at least ${windowSeconds}.`,
    );
  }
  const leaseSeconds = replay.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (typeof leaseSeconds !== "number" || !Number.isFinite(leaseSeconds) || leaseSeconds < 1) {
    throw new WebhookError("invalid_options", "replay.leaseSeconds must be a number of seconds, at least 1");
  }
  if (replay.namespace !== undefined && typeof replay.namespace !== "string") {
    throw new WebhookError("invalid_options", "replay.namespace must be a string");
  }
  return {
    store: replay.store ?? createMemoryReplayStore({ now, onEvict }),
    leaseMs: leaseSeconds * 1000,
    retainMs: retainSeconds * 1000,
    windowMs: windowSeconds * 1000,
    rejectDuplicates: replay.duplicates === "reject",
    namespace: replay.namespace,
  };
}

function nonNegative(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new WebhookError("invalid_options", `${name} must be a non-negative number`);
  }
  return value;
}
