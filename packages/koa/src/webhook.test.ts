import { once } from "node:events";
import { type Server, createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { bodyParser } from "@koa/bodyparser";
import fc from "fast-check";
import Koa from "koa";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type Verifier,
  type WebhookEvent,
  WebhookError,
  type WebhookState,
  createVerifier,
  standardWebhooks,
  webhook,
} from "./index.js";

const secret = `whsec_${Buffer.from("koa adapter test secret, 32 bytes").toString("base64")}`;
const scheme = standardWebhooks({ secret });
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(app: Koa<WebhookState>): Promise<string> {
  const server = createServer(app.callback());
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let counter = 0;
async function delivery(body: Uint8Array | string, options: { id?: string; timestamp?: Date } = {}) {
  const id = options.id ?? `msg_${++counter}`;
  const headers = await scheme.sign({ id, timestamp: options.timestamp ?? new Date(), body });
  return { id, headers: { ...headers, "content-type": "application/json" }, body };
}

function post(base: string, sent: { headers: Record<string, string>; body: Uint8Array | string }, path = "/webhooks") {
  const body = typeof sent.body === "string" ? sent.body : new Uint8Array(sent.body);
  return fetch(`${base}${path}`, { method: "POST", headers: sent.headers, body });
}

/** An app whose handler records what it processed; `fail` decides per delivery whether it throws. */
function receiver(options: { fail?: (id: string) => boolean; events?: WebhookEvent[]; maxBodyBytes?: number } = {}) {
  const processed: Array<{ id: string; body: Uint8Array; json: unknown }> = [];
  const app = new Koa<WebhookState>();
  app.silent = true;
  app.use(
    webhook({
      scheme,
      maxBodyBytes: options.maxBodyBytes,
      onEvent: options.events === undefined ? undefined : (event) => void options.events?.push(event),
    }),
  );
  app.use((ctx) => {
    const { webhook: received } = ctx.state;
    if (options.fail?.(received.id)) throw new Error("handler failed");
    processed.push({ id: received.id, body: received.body, json: received.json() });
    ctx.status = 204;
  });
  return { app, processed };
}

describe("webhook() middleware for Koa", () => {
  it("verifies a delivery on its raw bytes and hands the result to the next middleware", async () => {
    const { app, processed } = receiver();
    const base = await listen(app);
    const sent = await delivery('{"type":"invoice.paid","amount":42}');
    const response = await post(base, sent);
    expect(response.status).toBe(204);
    expect(processed).toHaveLength(1);
    expect(processed[0]?.id).toBe(sent.id);
    expect(processed[0]?.json).toEqual({ type: "invoice.paid", amount: 42 });
  });

  it("refuses a tampered body with 401 invalid_signature and a small JSON error, without running the handler", async () => {
    const { app, processed } = receiver();
    const base = await listen(app);
    const sent = await delivery('{"amount":42}');
    const response = await post(base, { ...sent, body: '{"amount":4200}' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "invalid_signature", message: "Invalid webhook signature" } });
    expect(processed).toHaveLength(0);
  });

  it("refuses a stale delivery with timestamp_too_old", async () => {
    const { app, processed } = receiver();
    const base = await listen(app);
    const response = await post(base, await delivery("{}", { timestamp: new Date(Date.now() - 3_600_000) }));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("timestamp_too_old");
    expect(processed).toHaveLength(0);
  });

  it("acknowledges a duplicate with 200 without running the handler again", async () => {
    const { app, processed } = receiver();
    const base = await listen(app);
    const sent = await delivery('{"n":1}');
    expect((await post(base, sent)).status).toBe(204);
    const again = await post(base, sent);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true, id: sent.id });
    expect(processed).toHaveLength(1);
  });

  it("releases the claim when the handler throws, so the sender's retry is processed once", async () => {
    let failures = 1;
    const { app, processed } = receiver({ fail: () => failures-- > 0 });
    const base = await listen(app);
    const sent = await delivery('{"n":2}');
    expect((await post(base, sent)).status).toBe(500);
    expect((await post(base, sent)).status).toBe(204);
    expect((await post(base, sent)).status).toBe(200);
    expect(processed.map((p) => p.id)).toEqual([sent.id]);
  });

  it("releases the claim when the handler answers 5xx without throwing", async () => {
    let calls = 0;
    const app = new Koa<WebhookState>();
    app.use(webhook({ scheme }));
    app.use((ctx) => {
      calls++;
      ctx.status = calls === 1 ? 503 : 204;
    });
    const base = await listen(app);
    const sent = await delivery("{}");
    expect((await post(base, sent)).status).toBe(503);
    expect((await post(base, sent)).status).toBe(204);
    expect(calls).toBe(2);
  });

  it("answers a WebhookError thrown by the handler (webhook.json() on a non-JSON body) with its code", async () => {
    const { app, processed } = receiver();
    const base = await listen(app);
    const response = await post(base, await delivery("not json"));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("malformed_body");
    expect(processed).toHaveLength(0);
  });

  it("refuses a body whose content-length is over the limit with 413 before reading it", async () => {
    const events: WebhookEvent[] = [];
    const { app, processed } = receiver({ maxBodyBytes: 1024, events });
    const base = await listen(app);
    const response = await post(base, await delivery("x".repeat(4096)));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("body_too_large");
    expect(processed).toHaveLength(0);
    expect(events.map((e) => e.code)).toEqual(["body_too_large"]);
  });

  it("refuses a streamed body without content-length as soon as it passes the limit", async () => {
    const { app, processed } = receiver({ maxBodyBytes: 1024 });
    const base = await listen(app);
    const sent = await delivery("y".repeat(64 * 1024));
    const chunks = new TextEncoder().encode(sent.body as string);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks.length; i += 512) controller.enqueue(chunks.subarray(i, i + 512));
        controller.close();
      },
    });
    const response = await fetch(`${base}/webhooks`, {
      method: "POST",
      headers: sent.headers,
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("body_too_large");
    expect(processed).toHaveLength(0);
  });

  it("gives up on a body whose sender hangs up half way, without running the handler", async () => {
    const events: WebhookEvent[] = [];
    const { app, processed } = receiver({ events });
    const base = await listen(app);
    const { port } = new URL(base);
    const sent = await delivery("z".repeat(2048));
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    const head = Object.entries({ ...sent.headers, "content-length": "2048", host: "127.0.0.1" })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.write(`POST /webhooks HTTP/1.1\r\n${head}\r\n${"z".repeat(1000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await vi.waitFor(() => expect(events.map((e) => e.code)).toEqual(["malformed_body"]));
    expect(processed).toHaveLength(0);
  });

  it("refuses clearly with body_already_consumed when a body parser ran first", async () => {
    const events: WebhookEvent[] = [];
    const app = new Koa<WebhookState>();
    app.silent = true;
    app.use(bodyParser());
    app.use(webhook({ scheme, onEvent: (event) => void events.push(event) }));
    app.use((ctx) => {
      ctx.status = 204;
    });
    const base = await listen(app);
    const response = await post(base, await delivery('{"parsed":true}'));
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("body_already_consumed");
    expect(events.map((e) => [e.type, e.code])).toEqual([["rejected", "body_already_consumed"]]);
  });

  it("reports verified, duplicate and rejected deliveries to onEvent", async () => {
    const events: WebhookEvent[] = [];
    const { app } = receiver({ events });
    const base = await listen(app);
    const sent = await delivery("{}");
    await post(base, sent);
    await post(base, sent);
    await post(base, { ...sent, body: "{ }" });
    expect(events.map((e) => [e.type, e.code])).toEqual([
      ["verified", undefined],
      ["duplicate", undefined],
      ["rejected", "invalid_signature"],
    ]);
  });

  it("sends Retry-After with a 429 and passes the absolute URL, method and remote address to the verifier", async () => {
    const seen: Array<{ url: string; method: string; remoteAddress: string | undefined }> = [];
    const limited: Verifier = {
      maxBodyBytes: 1024,
      verify: () => Promise.reject(new Error("not used")),
      verifyParts: (parts) => {
        seen.push({ url: parts.url, method: parts.method, remoteAddress: parts.connection?.remoteAddress });
        return Promise.reject(new WebhookError("rate_limited", "tenant over its rate", { retryAfterSeconds: 2.5 }));
      },
    };
    const app = new Koa<WebhookState>();
    app.use(webhook(limited));
    const base = await listen(app);
    const response = await post(base, await delivery("{}"), "/hooks/in?x=1");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect(seen).toEqual([{ url: `${base}/hooks/in?x=1`, method: "POST", remoteAddress: "127.0.0.1" }]);
  });

  it("passes any byte sequence through unchanged and refuses any single-byte change (property)", async () => {
    const verifier = createVerifier({ scheme, replay: false });
    const received: Uint8Array[] = [];
    const app = new Koa<WebhookState>();
    app.silent = true;
    app.use(webhook(verifier));
    app.use((ctx) => {
      received.push(ctx.state.webhook.body);
      ctx.status = 204;
    });
    const base = await listen(app);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (bytes, at, flip) => {
          const sent = await delivery(bytes);
          received.length = 0;
          expect((await post(base, sent)).status).toBe(204);
          expect(Buffer.from(received[0] ?? []).equals(Buffer.from(bytes))).toBe(true);
          const tampered = bytes.slice();
          const index = at % tampered.length;
          tampered[index] = (tampered[index] ?? 0) ^ flip;
          const refused = await post(base, { ...sent, body: tampered });
          expect(refused.status).toBe(401);
        },
      ),
      { numRuns: 40 },
    );
  });
});
