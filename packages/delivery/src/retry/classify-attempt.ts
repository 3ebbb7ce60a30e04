import { isWebhookError, TlsCertificateError, TokenRequestError } from "@hooksec/core";
import type { AttemptOutcomeLabel } from "../types.js";

/** What a worker does after an attempt. */
export type AttemptVerdict =
  | { readonly action: "delivered" }
  /** Try again on the schedule; `endpointFailure` says whether it counts against the endpoint's health. */
  | { readonly action: "retry"; readonly endpointFailure: boolean; readonly honourRetryAfter: boolean }
  /** The receiver removed the endpoint (410): disable it. */
  | { readonly action: "gone" }
  /** Retrying cannot help (another 4xx, a redirect, a bad certificate, SSRF): dead-letter it now. */
  | { readonly action: "give_up"; readonly endpointFailure: boolean };

export interface AttemptFacts {
  readonly status?: number;
  /** The response said the message is being processed by another delivery (409 `message_in_progress`). */
  readonly inProgress?: boolean;
  readonly error?: unknown;
}

/** A bounded label and the worker's verdict for one attempt. */
export function classifyAttempt(facts: AttemptFacts): {
  readonly outcome: AttemptOutcomeLabel;
  readonly verdict: AttemptVerdict;
} {
  const { status } = facts;
  if (status !== undefined) {
    if (status >= 200 && status <= 299) return { outcome: "success", verdict: { action: "delivered" } };
    if (status === 410) return { outcome: "gone", verdict: { action: "gone" } };
    if (status === 429)
      return { outcome: "rate_limited", verdict: { action: "retry", endpointFailure: false, honourRetryAfter: true } };
    // The receiver is alive and processing this very id elsewhere: come back after its lease.
    if (status === 409 && facts.inProgress === true) {
      return { outcome: "in_progress", verdict: { action: "retry", endpointFailure: false, honourRetryAfter: true } };
    }
    if (status === 408)
      return { outcome: "timeout", verdict: { action: "retry", endpointFailure: true, honourRetryAfter: false } };
    if (status >= 500 && status <= 599) {
      return {
        outcome: "http_5xx",
        verdict: { action: "retry", endpointFailure: true, honourRetryAfter: status === 503 },
      };
    }
    if (status < 200 || (status >= 300 && status <= 399))
      return { outcome: "redirect", verdict: { action: "give_up", endpointFailure: true } };
    return { outcome: "http_4xx", verdict: { action: "give_up", endpointFailure: true } };
  }
  const { error } = facts;
  if (isWebhookError(error) && (error.code === "ssrf_blocked" || error.code === "invalid_endpoint")) {
    return { outcome: "ssrf_blocked", verdict: { action: "give_up", endpointFailure: false } };
  }
  if (error instanceof TlsCertificateError)
    return { outcome: "tls_error", verdict: { action: "give_up", endpointFailure: true } };
  if (error instanceof TokenRequestError) {
    // A refusal of our client credentials will not change by itself; a token endpoint outage may.
    const refused = error.status === 400 || error.status === 401 || error.status === 403;
    return { outcome: "auth_error", verdict: refused ? { action: "give_up", endpointFailure: true } : retryAsFailure };
  }
  return { outcome: networkOutcome(error), verdict: retryAsFailure };
}

const retryAsFailure: AttemptVerdict = { action: "retry", endpointFailure: true, honourRetryAfter: false };

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "ENODATA"]);
const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

/** Walks the `cause` chain for the error's nature: timeout, DNS, or any other connection error. */
function networkOutcome(error: unknown): AttemptOutcomeLabel {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (current.name === "TimeoutError" || (typeof code === "string" && TIMEOUT_CODES.has(code))) return "timeout";
    if (typeof code === "string" && DNS_CODES.has(code)) return "dns";
    if (typeof code === "string" && code.startsWith("ERR_TLS")) return "tls_error";
    current = current.cause;
  }
  return "connection_error";
}

/** A short, bounded description of an error for the log (never a stack). */
export function describeError(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(
      typeof code === "string" ? `${current.name} ${code}: ${current.message}` : `${current.name}: ${current.message}`,
    );
    current = current.cause;
  }
  return (parts.length === 0 ? String(error) : parts.join(" <- ")).slice(0, 300);
}
