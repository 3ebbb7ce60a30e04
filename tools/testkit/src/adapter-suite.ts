// The scenarios every adapter (Koa middleware, Hapi auth scheme, Next.js route
// handler, ...) must pass the same way. An adapter's test file calls
// `describeAdapterContract({...})` inside its describe, with a `receiver` that
// starts its framework (a real server on loopback, or the route handler itself
// for Next.js) with the adapter in front of a handler that records each webhook
// it runs for. Its own tests (framework specifics) use `deliveries` and `codeOf`.
import { once } from "node:events";
import { connect } from "node:net";
import fc from "fast-check";
import { expect, it } from "vitest";
import { standardWebhooksHeaders } from "./client.js";

export interface SignedDelivery {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string;
}

/** Signs deliveries with `secret`: Standard Webhooks headers and `content-type: application/json`. */
export function deliveries(
  secret: string,
): (body: Uint8Array | string, options?: { id?: string; timestamp?: Date }) => SignedDelivery {
  let counter = 0;
  const run = Math.random().toString(36).slice(2, 8);
  return (body, options = {}) => {
    const id = options.id ?? `msg_${run}_${++counter}`;
    const headers = standardWebhooksHeaders(secret, { id, timestamp: options.timestamp ?? new Date(), body });
    return { id, headers: { ...headers, "content-type": "application/json" }, body };
  };
}

/** POSTs a delivery with fetch (`path` default `/webhooks`). */
export function post(
  base: string,
  sent: { readonly headers: Record<string, string>; readonly body: Uint8Array | string },
  path = "/webhooks",
): Promise<Response> {
  const body = typeof sent.body === "string" ? sent.body : new Uint8Array(sent.body);
  return fetch(`${base}${path}`, { method: "POST", headers: sent.headers, body });
}

/**
 * Property for adapters behind a real server: any byte sequence reaches the
 * handler exactly as sent (it pushes `webhook.body` into `received`), and any
 * single-byte change is refused with 401.
 */
export async function expectRawBytesKept(
  base: string,
  received: Uint8Array[],
  delivery: ReturnType<typeof deliveries>,
  numRuns = 30,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 2048 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      async (bytes, at, flip) => {
        const sent = delivery(bytes);
        received.length = 0;
        expect((await post(base, sent)).status).toBe(204);
        expect(Array.from(received[0] ?? [])).toEqual(Array.from(bytes));
        const tampered = bytes.slice();
        const index = at % tampered.length;
        tampered[index] = (tampered[index] ?? 0) ^ flip;
        expect((await post(base, { ...sent, body: tampered })).status).toBe(401);
      },
    ),
    { numRuns },
  );
}

/** The `error.code` of a JSON refusal. */
export async function codeOf(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { error?: { code?: string } }).error?.code;
}

/** What the scheme was given, as far as these scenarios look. */
export interface SchemeInput {
  readonly method: string;
  readonly url: string;
}

/** The options an adapter's `receiver` maps onto its framework and the receiver options. */
export interface AdapterReceiverOptions {
  /** The handler throws while this answers true. */
  readonly fail?: () => boolean;
  /** The handler waits this long (ms) before it records the webhook (or fails). */
  readonly slowMs?: number;
  /** Every `onEvent` event is pushed here. */
  readonly events?: { readonly type: string; readonly code?: string | undefined }[];
  readonly maxBodyBytes?: number;
  /** Verify with this scheme instead of Standard Webhooks with the contract's secret. */
  readonly scheme?: unknown;
  /** Passed on as the receiver's `allowlist` (adapters that see the connection). */
  readonly allowlist?: readonly string[];
  /** Mount the framework's usual body parser in front of the webhook route, as a new user would. */
  readonly parserFirst?: boolean;
}

/** A request as the scenarios send it. */
export interface ContractRequest {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string | ReadableStream<Uint8Array>;
  /**
   * A `content-length` that lies (smaller than the body). Only route handlers
   * called directly can be handed one; over HTTP a stream goes out chunked.
   */
  readonly declaredLength?: string;
}

export interface ContractReceiver {
  /** Sends one request to `path` (a query included) and returns the response. */
  send(path: string, request: ContractRequest): Promise<Response>;
  /** The webhooks the handler ran for, in order. */
  readonly processed: readonly { readonly id: string }[];
  /** What reached the framework's error log (setup mistakes must). */
  readonly logs: readonly string[];
  /** `http://127.0.0.1:port` for adapters behind a real server: socket-level scenarios run then. */
  readonly base?: string;
}

export interface AdapterContractOptions {
  /** The Standard Webhooks secret the receiver verifies with. */
  readonly secret: string;
  /** Starts the framework with the adapter on `POST /webhooks` (and on `pathWithQuery`'s path). */
  receiver(options: AdapterReceiverOptions): Promise<ContractReceiver>;
  /** The `WebhookError` class of @hooksec/core, for the scheme that refuses with `rate_limited`. */
  readonly WebhookError: new (
    code: "rate_limited",
    detail: string,
    options: { retryAfterSeconds: number },
  ) => Error;
  /** A path with a query the adapter serves too (default `/webhooks?source=contract`): the scheme must see it in the URL. */
  readonly pathWithQuery?: string;
  /** False for adapters that never see the connection (Next.js): the allowlist scenario is not theirs. */
  readonly seesConnection?: boolean;
}

/** Sends with fetch to a real server at `base` (streams go out chunked, without content-length). */
export function httpSender(base: string): ContractReceiver["send"] {
  return (path, request) => {
    const body =
      typeof request.body === "string" || request.body instanceof ReadableStream
        ? request.body
        : new Uint8Array(request.body);
    return fetch(`${base}${path}`, { method: "POST", headers: request.headers, body, duplex: "half" } as RequestInit);
  };
}

/** Registers the shared scenarios (call it inside the adapter's describe). */
export function describeAdapterContract(options: AdapterContractOptions): void {
  const { receiver } = options;
  const delivery = deliveries(options.secret);
  const ids = (processed: readonly { readonly id: string }[]) => processed.map((p) => p.id);
  const PATH = "/webhooks";

  it("refuses a tampered body with 401 invalid_signature and a small JSON error, without running the handler", async () => {
    const { send, processed } = await receiver({});
    const sent = delivery('{"amount":42}');
    const response = await send(PATH, { ...sent, body: '{"amount":4200}' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: "invalid_signature", message: "Invalid webhook signature" },
    });
    expect(processed).toHaveLength(0);
  });

  it("refuses a stale delivery with timestamp_too_old", async () => {
    const { send, processed } = await receiver({});
    const response = await send(PATH, delivery("{}", { timestamp: new Date(Date.now() - 3_600_000) }));
    expect(response.status).toBe(401);
    expect(await codeOf(response)).toBe("timestamp_too_old");
    expect(processed).toHaveLength(0);
  });

  it("acknowledges a duplicate of a processed message with 200 without running the handler again", async () => {
    const { send, processed } = await receiver({});
    const sent = delivery('{"n":1}');
    expect((await send(PATH, sent)).status).toBe(204);
    const again = await send(PATH, sent);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true, id: sent.id });
    expect(ids(processed)).toEqual([sent.id]);
  });

  it("answers a retry that arrives while the first attempt runs with 409 message_in_progress (never a 2xx), and processes the retry once the first failed", async () => {
    let failures = 1;
    const { send, processed } = await receiver({ slowMs: 400, fail: () => failures-- > 0 });
    const sent = delivery('{"n":"race"}');
    const first = send(PATH, sent);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const during = await send(PATH, sent);
    expect(during.status).toBe(409);
    expect(Number(during.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await codeOf(during)).toBe("message_in_progress");
    expect((await first).status).toBe(500);
    expect((await send(PATH, sent)).status).toBe(204);
    expect((await send(PATH, sent)).status).toBe(200);
    expect(ids(processed)).toEqual([sent.id]);
  });

  it("releases the message when the handler throws, so the sender's retry is processed once", async () => {
    let failures = 1;
    const { send, processed } = await receiver({ fail: () => failures-- > 0 });
    const sent = delivery('{"n":2}');
    expect((await send(PATH, sent)).status).toBe(500);
    expect((await send(PATH, sent)).status).toBe(204);
    expect((await send(PATH, sent)).status).toBe(200);
    expect(ids(processed)).toEqual([sent.id]);
  });

  it("refuses a body whose content-length is over the limit with 413 body_too_large before reading it", async () => {
    const events: { type: string; code?: string | undefined }[] = [];
    const { send, processed } = await receiver({ maxBodyBytes: 1024, events });
    const response = await send(PATH, delivery("x".repeat(4096)));
    expect(response.status).toBe(413);
    expect(await codeOf(response)).toBe("body_too_large");
    expect(processed).toHaveLength(0);
    expect(events.map((e) => e.code)).toEqual(["body_too_large"]);
  });

  it("refuses a streamed body over the limit whose content-length lies or is absent, with 413 body_too_large", async () => {
    const events: { type: string; code?: string | undefined }[] = [];
    const { send, processed } = await receiver({ maxBodyBytes: 1024, events });
    const sent = delivery("y".repeat(64 * 1024));
    const bytes = new TextEncoder().encode(sent.body as string);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.subarray(i, i + 512));
        controller.close();
      },
    });
    // Over HTTP/1.1 a fetch stream goes out chunked (no content-length); handed to a
    // route handler directly, the Request also claims a small content-length.
    const response = await send(PATH, { headers: sent.headers, body: stream, declaredLength: "10" });
    expect(response.status).toBe(413);
    expect(await codeOf(response)).toBe("body_too_large");
    expect(processed).toHaveLength(0);
    expect(events.map((e) => e.code)).toEqual(["body_too_large"]);
  });

  it("refuses with body_already_consumed when a body parser ran first, and tells the server log how to fix it", async () => {
    const events: { type: string; code?: string | undefined }[] = [];
    const { send, processed, logs } = await receiver({ parserFirst: true, events });
    const response = await send(PATH, delivery('{"parsed":true}'));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toMatch(/mount|bodyParser|parse:/i); // the fix is for the log, not the wire
    expect(processed).toHaveLength(0);
    expect(events.map((e) => [e.type, e.code])).toEqual([["rejected", "body_already_consumed"]]);
    expect(logs.join("\n")).toContain("Webhook body already consumed: ");
  });

  it("reports verified, completed, duplicate and rejected deliveries to onEvent", async () => {
    const events: { type: string; code?: string | undefined }[] = [];
    const { send } = await receiver({ events });
    const sent = delivery("{}");
    await send(PATH, sent);
    await send(PATH, sent);
    await send(PATH, { ...sent, body: "{ }" });
    expect(events.map((e) => [e.type, e.code])).toEqual([
      ["verified", undefined],
      ["completed", undefined],
      ["duplicate", undefined],
      ["rejected", "invalid_signature"],
    ]);
  });

  it("sends Retry-After (whole seconds, rounded up) with a 429, and gives the scheme the absolute URL with its query and the method", async () => {
    const seen: SchemeInput[] = [];
    const limiting = {
      name: "limiting",
      timestamped: false,
      verify: (incoming: SchemeInput) => {
        seen.push({ method: incoming.method, url: incoming.url });
        return Promise.reject(new options.WebhookError("rate_limited", "over the rate", { retryAfterSeconds: 1.2 }));
      },
      sign: () => Promise.resolve({}),
      encode: () => Promise.resolve({ headers: {}, body: "" }),
    };
    const { send } = await receiver({ scheme: limiting });
    const path = options.pathWithQuery ?? "/webhooks?source=contract";
    const response = await send(path, delivery("{}"));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await codeOf(response)).toBe("rate_limited");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe("POST");
    expect(new URL(seen[0]?.url ?? "").pathname + new URL(seen[0]?.url ?? "").search).toBe(path);
  });

  if (options.seesConnection !== false) {
    it("passes the peer address on: a loopback caller outside the allowlist gets 403 forbidden_ip", async () => {
      const { send, processed } = await receiver({ allowlist: ["10.0.0.0/8"] });
      const response = await send(PATH, delivery("{}"));
      expect(response.status).toBe(403);
      expect(await codeOf(response)).toBe("forbidden_ip");
      expect(processed).toHaveLength(0);
    });

    it("stops reading after a 413: the connection is closed, not drained", async () => {
      const { base } = await receiver({ maxBodyBytes: 1024 });
      if (base === undefined) throw new Error("an adapter that sees the connection must give its base URL");
      const { port } = new URL(base);
      const sent = delivery("{}");
      const socket = connect(Number(port), "127.0.0.1");
      await once(socket, "connect");
      const head = Object.entries({ ...sent.headers, host: "127.0.0.1", "transfer-encoding": "chunked" })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      let reply = "";
      socket.on("data", (chunk: Buffer) => {
        reply += chunk.toString();
      });
      socket.on("error", () => undefined);
      // Not `once(socket, "close")`: that rejects on the reset we are waiting for.
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.write(`POST /webhooks HTTP/1.1\r\n${head}\r\n`);
      // Keep pushing 64 KiB chunks, as an attacker would, until the server hangs up.
      const chunk = `10000\r\n${"z".repeat(0x10000)}\r\n`;
      let written = 0;
      const pushing = setInterval(() => {
        if (socket.writable && written < 64 * 1024 * 1024) {
          // The reset that ends this is expected: the callback keeps it from being thrown.
          socket.write(chunk, () => undefined);
          written += 0x10000;
        }
      }, 1);
      const outcome = await Promise.race([
        closed.then(() => "closed"),
        new Promise((resolve) => setTimeout(() => resolve("still open"), 5_000)),
      ]);
      clearInterval(pushing);
      socket.destroy();
      expect(reply).toMatch(/^HTTP\/1\.1 413/);
      expect(outcome).toBe("closed");
      expect(written).toBeLessThan(64 * 1024 * 1024);
    });
  }
}
