import { WebhookError } from "../../errors/webhook-error.js";
import { type Awaitable, isPromiseLike } from "../../lib/awaitable.js";
import type { ClaimResult, ReplayStore } from "../../replay/replay-store.js";
import type { SchemeVerification } from "../../schemes/types.js";
import { type LeaseOutcome, type MessageLease, storeLease, storeUnavailable } from "../message-lease.js";

/** How the replay step treats a message, resolved from the options once. */
export interface ReplaySettings {
  readonly store: ReplayStore;
  readonly leaseMs: number;
  /** Completed messages are remembered this long (the idempotency horizon, at least the window). */
  readonly retainMs: number;
  /** While a signature of the message is fresh: never forgotten before then. */
  readonly windowMs: number;
  readonly rejectDuplicates: boolean;
  /** Fixed namespace; default: the request URL's path, so routes sharing a store never share ids. */
  readonly namespace: string | undefined;
}

/** What the replay step decided: process it (holding `lease`), or acknowledge it as processed. */
export type Admission = { readonly duplicate: true } | { readonly duplicate: false; readonly lease: MessageLease };

const DUPLICATE: Admission = { duplicate: true };

/**
 * Step 4: claim the signed message id, atomically, in the processing state machine
 * (see `ReplayStore`). Only ever reached by verified messages, so nobody can fill
 * the store or burn an id without a valid signature. Synchronous when the store
 * is (the in-memory default), to keep the hot path short.
 */
export function claimMessage(
  settings: ReplaySettings,
  scheme: string,
  verification: SchemeVerification,
  tenant: string | undefined,
  url: string,
  report: (outcome: LeaseOutcome) => void,
): Awaitable<Admission> {
  const key = replayKey(settings.namespace ?? pathOf(url), scheme, tenant, verification.replayKey ?? verification.id);
  const settle = (claimed: ClaimResult): Admission => {
    if (claimed.state === "acquired")
      return { duplicate: false, lease: storeLease(settings.store, key, claimed.token, settings, report) };
    if (claimed.state === "in_progress") {
      const retryAfterSeconds = Math.max(1, Math.ceil(claimed.retryAfterMs / 1000));
      throw new WebhookError(
        "message_in_progress",
        `message ${verification.id} is being processed by another delivery`,
        {
          retryAfterSeconds,
        },
      );
    }
    if (settings.rejectDuplicates)
      throw new WebhookError("duplicate_message", `message ${verification.id} was already processed`);
    return DUPLICATE;
  };
  let claimed: Awaitable<ClaimResult>;
  try {
    claimed = settings.store.claim(key, { leaseMs: settings.leaseMs, windowMs: settings.windowMs });
  } catch (cause) {
    throw storeUnavailable("claim", cause);
  }
  if (!isPromiseLike(claimed)) return settle(claimed);
  return claimed.then(settle, (cause: unknown) => {
    throw storeUnavailable("claim", cause);
  });
}

/**
 * One key per (namespace, scheme, tenant, id). Lengths prefix the free-form
 * parts, so no combination of them can spell another's key.
 */
function replayKey(namespace: string, scheme: string, tenant: string | undefined, id: string): string {
  const tenantPart = tenant === undefined ? "" : `${tenant.length}:${tenant}`;
  return `${namespace.length}:${namespace}:${scheme}:${tenantPart}:${id}`;
}

/** The path of an absolute URL, without parsing the whole URL on the hot path. */
function pathOf(url: string): string {
  const afterScheme = url.indexOf("//");
  const start = url.indexOf("/", afterScheme === -1 ? 0 : afterScheme + 2);
  if (start === -1) return "/";
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}
