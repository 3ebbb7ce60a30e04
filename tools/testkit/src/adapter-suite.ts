// The scenarios every Node server adapter (Koa middleware, Hapi auth scheme)
// must pass the same way, over real HTTP on loopback. An adapter's test file
// calls `describeAdapterContract({...})` inside its describe, with a
// `receiver` that starts its framework's server; its own tests (framework
// specifics) use the same `deliveries`, `post` and `codeOf`.
import { expect, it } from "vitest";
import { standardWebhooksHeaders } from "./client.js";

export interface SignedDelivery {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string;
}

/** Signs deliveries with `secret`: Standard Webhooks headers and `content-type: application/json`. */
export function deliveries(secret: string): (body: Uint8Array | string, options?: { id?: string; timestamp?: Date }) => SignedDelivery {
  let counter = 0;
  return (body, options = {}) => {
    const id = options.id ?? `msg_${++counter}`;
    const headers = standardWebhooksHeaders(secret, { id, timestamp: options.timestamp ?? new Date(), body });
    return { id, headers: { ...headers, "content-type": "application/json" }, body };
  };
}

/** POSTs a delivery with fetch (`path` default `/webhooks`). */
export function post(base: string, sent: { readonly headers: Record<string, string>; readonly body: Uint8Array | string }, path = "/webhooks"): Promise<Response> {
  const body = typeof sent.body === "string" ? sent.body : new Uint8Array(sent.body);
  return fetch(`${base}${path}`, { method: "POST", headers: sent.headers, body });
}

/** The `error.code` of a JSON refusal. */
export async function codeOf(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { error?: { code?: string } }).error?.code;
}

/** What a verifier is given, as far as these scenarios look. */
interface PartsSeen {
  readonly url: string;
  readonly method: string;
  readonly connection?: { readonly remoteAddress?: string | undefined } | undefined;
}

/** A verifier the scenarios build: refuses everything, recording what it was given. */
export interface ScenarioVerifier {
  readonly maxBodyBytes: number;
  verify(): Promise<never>;
  verifyParts(parts: PartsSeen): Promise<never>;
  reportRefusal(): void;
}

export interface AdapterReceiverOptions {
  /** The handler throws while this answers true. */
  readonly fail?: () => boolean;
  /** Every `onEvent` event is pushed here. */
  readonly events?: { readonly type: string; readonly code?: string | undefined }[];
  readonly maxBodyBytes?: number;
  /** Use this verifier instead of the one for the secret. */
  readonly verifier?: ScenarioVerifier;
}

export interface AdapterContractOptions {
  /** The Standard Webhooks secret the receiver verifies with. */
  readonly secret: string;
  /**
   * Starts the framework's server on loopback: the adapter on `POST /webhooks`
   * verifying `secret` (or `options.verifier`), then a handler that records each
   * webhook it runs for in `processed` and answers 204.
   */
  receiver(options: AdapterReceiverOptions): Promise<{ readonly base: string; readonly processed: readonly { readonly id: string }[] }>;
  /** The `WebhookError` class of @hooksec/core, for the verifier that refuses with `rate_limited`. */
  readonly WebhookError: new (code: "rate_limited", detail: string, options: { retryAfterSeconds: number }) => Error;
  /** A path with a query the adapter serves too (default `/webhooks`): the verifier must see it in the URL. */
  readonly pathWithQuery?: string;
}

/** Registers the shared scenarios (call it inside the adapter's describe). */
export function describeAdapterContract(options: AdapterContractOptions): void {
  const { receiver } = options;
  const delivery = deliveries(options.secret);
  const ids = (processed: readonly { readonly id: string }[]) => processed.map((p) => p.id);

  it("refuses a tampered body with 401 invalid_signature and a small JSON error, without running the handler", async () => {
    const { base, processed } = await receiver({});
    const sent = delivery('{"amount":42}');
    const response = await post(base, { ...sent, body: '{"amount":4200}' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "invalid_signature", message: "Invalid webhook signature" } });
    expect(processed).toHaveLength(0);
  });

  it("refuses a stale delivery with timestamp_too_old", async () => {
    const { base, processed } = await receiver({});
    const response = await post(base, delivery("{}", { timestamp: new Date(Date.now() - 3_600_000) }));
    expect(response.status).toBe(401);
    expect(await codeOf(response)).toBe("timestamp_too_old");
    expect(processed).toHaveLength(0);
  });

  it("acknowledges a duplicate with 200 without running the handler again", async () => {
    const { base, processed } = await receiver({});
    const sent = delivery('{"n":1}');
    expect((await post(base, sent)).status).toBe(204);
    const again = await post(base, sent);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true, id: sent.id });
    expect(processed).toHaveLength(1);
  });

  it("releases the claim when the handler throws, so the sender's retry is processed once", async () => {
    let failures = 1;
    const { base, processed } = await receiver({ fail: () => failures-- > 0 });
    const sent = delivery('{"n":2}');
    expect((await post(base, sent)).status).toBe(500);
    expect((await post(base, sent)).status).toBe(204);
    expect((await post(base, sent)).status).toBe(200);
    expect(ids(processed)).toEqual([sent.id]);
  });

  it("refuses a body whose content-length is over the limit with 413 body_too_large before reading it", async () => {
    const events: { type: string; code?: string | undefined }[] = [];
    const { base, processed } = await receiver({ maxBodyBytes: 1024, events });
    const response = await post(base, delivery("x".repeat(4096)));
    expect(response.status).toBe(413);
    expect(await codeOf(response)).toBe("body_too_large");
    expect(processed).toHaveLength(0);
    expect(events.map((e) => e.code)).toEqual(["body_too_large"]);
  });

  it("reports verified, duplicate and rejected deliveries to onEvent", async () => {
    const events: { type: string; code?: string | undefined }[] = [];
    const { base } = await receiver({ events });
    const sent = delivery("{}");
    await post(base, sent);
    await post(base, sent);
    await post(base, { ...sent, body: "{ }" });
    expect(events.map((e) => [e.type, e.code])).toEqual([
      ["verified", undefined],
      ["duplicate", undefined],
      ["rejected", "invalid_signature"],
    ]);
  });

  it("sends Retry-After (whole seconds, rounded up) with a 429 and passes the absolute URL, method and peer address", async () => {
    const seen: Array<{ url: string; method: string; remoteAddress: string | undefined }> = [];
    const limited: ScenarioVerifier = {
      maxBodyBytes: 1024,
      verify: () => Promise.reject(new Error("not used")),
      reportRefusal: () => {},
      verifyParts: (parts) => {
        seen.push({ url: parts.url, method: parts.method, remoteAddress: parts.connection?.remoteAddress });
        return Promise.reject(new options.WebhookError("rate_limited", "over the rate", { retryAfterSeconds: 1.2 }));
      },
    };
    const { base } = await receiver({ verifier: limited });
    const path = options.pathWithQuery ?? "/webhooks";
    const response = await post(base, delivery("{}"), path);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await codeOf(response)).toBe("rate_limited");
    expect(seen).toEqual([{ url: `${base}${path}`, method: "POST", remoteAddress: "127.0.0.1" }]);
  });
}
