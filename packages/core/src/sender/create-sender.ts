import { createDefaultTransport } from "#transport";
import { WebhookError, isWebhookError } from "../errors/webhook-error.js";
import { withTimeout } from "./attempt-timeout.js";
import { createTokenCache, TokenRequestError } from "./oauth2-token-cache.js";
import { generateMessageId } from "./message-id.js";
import { applyOutboundAuth } from "./outbound-auth.js";
import { backoffDelay, isRetryableStatus, parseRetryAfter, resolveRetryPolicy } from "./retry-policy.js";
import { createAddressGuard } from "./ssrf/address-guard.js";
import { asTlsCertificateError, TlsCertificateError } from "./tls-certificate-error.js";
import { checkEndpointWith } from "./check-endpoint.js";
import type {
  AttemptEvent,
  AttemptOutcome,
  DeliveryResult,
  Endpoint,
  SendOptions,
  Sender,
  SenderOptions,
  TransportResponse,
} from "./types.js";

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_TOTAL_TIMEOUT_MS = 15_000;
const sleepWithTimer = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds a sender: signs each attempt afresh with the scheme (same id, new
 * timestamp and signature), authenticates to the endpoint as it asks, retries
 * with backoff, and never connects to an address SSRF protection refuses.
 *
 * @example
 * const sender = createSender({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
 * const result = await sender.send(
 *   { url: "https://hooks.example.com/in", auth: { type: "bearer", token: process.env.TOKEN } },
 *   { type: "invoice.paid", id: "inv_1" },
 * );
 * if (result.status === "gone") await disableEndpoint();
 */
export function createSender(options: SenderOptions): Sender {
  const { scheme, onAttempt } = options;
  if (scheme !== undefined && typeof scheme?.encode !== "function") {
    throw new WebhookError(
      "invalid_options",
      "createSender: `scheme` must be a scheme, such as standardWebhooks({ secret })",
    );
  }
  const guard = createAddressGuard(options.ssrf);
  const policy = resolveRetryPolicy(options.retry);
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    throw new WebhookError("invalid_options", "retry.attempts must be a positive integer");
  }
  const connectTimeoutMs = positive(options.timeouts?.connectMs ?? DEFAULT_CONNECT_TIMEOUT_MS, "timeouts.connectMs");
  const totalTimeoutMs = positive(options.timeouts?.totalMs ?? DEFAULT_TOTAL_TIMEOUT_MS, "timeouts.totalMs");
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepWithTimer;
  const random = options.random ?? Math.random;
  const contentType = options.contentType ?? "application/json";
  const transport = (options.transport ?? createDefaultTransport())({ guard, connectTimeoutMs });
  const tokens = createTokenCache({ transport, guard, now, timeoutMs: totalTimeoutMs });

  function report(event: AttemptEvent): void {
    if (onAttempt === undefined) return;
    try {
      void Promise.resolve(onAttempt(event)).catch(() => undefined);
    } catch {
      // A logging hook must never change a delivery.
    }
  }

  const check = (endpoint: Endpoint): URL => checkEndpointWith(endpoint, guard);

  async function send(endpoint: Endpoint, payload: unknown, sendOptions?: SendOptions): Promise<DeliveryResult> {
    const url = check(endpoint);
    const signing = sendOptions?.scheme ?? scheme;
    if (typeof signing?.encode !== "function") {
      throw new WebhookError(
        "invalid_options",
        "no scheme to sign with: give createSender a `scheme`, or each send its own",
      );
    }
    const id = sendOptions?.id ?? generateMessageId();
    const body = serialise(payload);
    let lastStatus: number | undefined;
    let lastError: unknown;
    let refreshedAfter401 = false;

    for (let attempt = 1; ; attempt++) {
      // Fresh timestamp and signature for every attempt; the id never changes.
      const encoded = await signing.encode({
        id,
        timestamp: new Date(now()),
        body,
        url: url.href,
        tenant: endpoint.tenant,
      });
      const headers = new Headers({ "content-type": contentType, "user-agent": "hooksec" });
      for (const [name, value] of Object.entries(endpoint.headers ?? {})) headers.set(name, value);
      for (const [name, value] of Object.entries(encoded.headers)) headers.set(name, value);

      const startedAt = performance.now();
      let response: TransportResponse | undefined;
      let error: unknown;
      let token: string | undefined;
      try {
        token = (await applyOutboundAuth(endpoint.auth, headers, tokens)).token;
        response = await withTimeout(totalTimeoutMs, (signal) =>
          transport.send({ url, method: "POST", headers, body: encoded.body, signal, tls: endpoint.tls }),
        );
      } catch (caught) {
        if (isWebhookError(caught)) {
          // Refused before any byte was sent (SSRF, setup): retrying cannot help.
          report({
            id,
            url: url.href,
            attempt,
            outcome: "rejected",
            error: caught,
            durationMs: performance.now() - startedAt,
          });
          throw caught;
        }
        // A certificate that does not verify is a setup error: the next attempt would fail the same way.
        error = asTlsCertificateError(caught) ?? caught;
      }
      const durationMs = performance.now() - startedAt;
      const status = response?.status;
      lastStatus = status ?? lastStatus;
      lastError = error;
      let outcome =
        status === undefined ? errorOutcomeOf(error) : outcomeOf(status, response?.headers.has("retry-after") === true);
      if (outcome === "unauthorized" && (endpoint.auth?.type !== "oauth2" || refreshedAfter401)) outcome = "rejected";
      const canRetry = attempt < policy.attempts;

      if (outcome === "unauthorized" && canRetry && endpoint.auth?.type === "oauth2" && token !== undefined) {
        // One more try with a fresh token: the cached one may have been revoked early.
        refreshedAfter401 = true;
        await tokens.invalidate(endpoint.auth, token);
        report({ id, url: url.href, attempt, outcome, status, durationMs, retryInMs: 0 });
        continue;
      }
      if (outcome === "retryable" && canRetry) {
        const retryAfter = parseRetryAfter(response?.headers.get("retry-after") ?? null, now(), policy.maxRetryAfterMs);
        const retryInMs = retryAfter ?? backoffDelay(attempt, policy, random);
        report({ id, url: url.href, attempt, outcome, status, error, durationMs, retryInMs });
        await sleep(retryInMs);
        continue;
      }
      report({ id, url: url.href, attempt, outcome, status, error, durationMs });
      const result = outcome === "delivered" ? "delivered" : outcome === "gone" ? "gone" : "failed";
      return {
        status: result,
        id,
        attempts: attempt,
        ...(lastStatus === undefined ? {} : { lastStatus }),
        ...(result === "failed" && lastError !== undefined ? { error: lastError } : {}),
        ...responseDetails(response),
      };
    }
  }

  return {
    send,
    check,
    close: () => transport.close(),
  };
}

const EXCERPT_BYTES = 512;
const excerptDecoder = new TextDecoder();

/** What a delivery log keeps of the last response: its `Retry-After` and the start of its body. */
function responseDetails(response: TransportResponse | undefined): { retryAfter?: string; responseExcerpt?: string } {
  if (response === undefined) return {};
  const retryAfter = response.headers.get("retry-after");
  const excerpt = excerptDecoder.decode(response.body.subarray(0, EXCERPT_BYTES));
  return { ...(retryAfter === null ? {} : { retryAfter }), ...(excerpt === "" ? {} : { responseExcerpt: excerpt }) };
}

function outcomeOf(status: number | undefined, hasRetryAfter: boolean): AttemptOutcome {
  if (status === undefined) return "retryable"; // network error or timeout
  if (status >= 200 && status <= 299) return "delivered";
  if (status === 410) return "gone";
  if (status === 401) return "unauthorized";
  if (isRetryableStatus(status, hasRetryAfter)) return "retryable";
  // 3xx (and an opaque redirect, status 0): never followed, a redirect could point anywhere.
  if (status < 200 || (status >= 300 && status <= 399)) return "redirect";
  return "rejected";
}

/** Why an attempt without a response failed: most causes pass, some never will. */
function errorOutcomeOf(error: unknown): AttemptOutcome {
  // The receiver's certificate does not verify (self-signed, another CA, another name): not transient.
  if (error instanceof TlsCertificateError) return "rejected";
  // The token endpoint refused our client credentials (RFC 6749 §5.2 invalid_client): so will it next time.
  if (error instanceof TokenRequestError && (error.status === 400 || error.status === 401 || error.status === 403)) {
    return "rejected";
  }
  return "retryable"; // network error or timeout
}

/** Strings and bytes are sent exactly as given; anything else as JSON. */
function serialise(payload: unknown): Uint8Array | string {
  if (typeof payload === "string" || payload instanceof Uint8Array) return payload;
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (cause) {
    throw new WebhookError("invalid_options", "the payload cannot be serialised as JSON", { cause });
  }
  if (json === undefined) throw new WebhookError("invalid_options", "the payload cannot be serialised as JSON");
  return json;
}

function positive(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new WebhookError("invalid_options", `${name} must be a positive number`);
  }
  return value;
}
