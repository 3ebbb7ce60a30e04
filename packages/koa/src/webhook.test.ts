import { once } from "node:events";
import { type Server, createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { bodyParser } from "@koa/bodyparser";
import fc from "fast-check";
import Koa from "koa";
import { type AdapterReceiverOptions, codeOf, deliveries, describeAdapterContract, post } from "@hooksec/testkit/adapter-suite";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
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

const delivery = deliveries(secret);

/** An app whose handler records what it processed; `fail` decides per delivery whether it throws. */
function receiver(options: AdapterReceiverOptions = {}) {
  const processed: Array<{ id: string; body: Uint8Array; json: unknown }> = [];
  const app = new Koa<WebhookState>();
  app.silent = true;
  app.use(
    webhook(
      options.verifier ?? {
        scheme,
        maxBodyBytes: options.maxBodyBytes,
        onEvent: options.events === undefined ? undefined : (event) => void options.events?.push(event),
      },
    ),
  );
  app.use((ctx) => {
    const { webhook: received } = ctx.state;
    if (options.fail?.()) throw new Error("handler failed");
    processed.push({ id: received.id, body: received.body, json: received.json() });
    ctx.status = 204;
  });
  return { app, processed };
}

describe("webhook() middleware for Koa", () => {
  describeAdapterContract({
    secret,
    receiver: async (options) => {
      const { app, processed } = receiver(options);
      return { base: await listen(app), processed };
    },
    WebhookError,
    // No router here: the middleware serves any path, and must pass it on with its query.
    pathWithQuery: "/hooks/in?x=1",
  });

  it("verifies a delivery on its raw bytes and hands the result to the next middleware", async () => {
    const { app, processed } = receiver();
    const base = await listen(app);
    const sent = delivery('{"type":"invoice.paid","amount":42}');
    const response = await post(base, sent);
    expect(response.status).toBe(204);
    expect(processed).toHaveLength(1);
    expect(processed[0]?.id).toBe(sent.id);
    expect(processed[0]?.json).toEqual({ type: "invoice.paid", amount: 42 });
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
    const sent = delivery("{}");
    expect((await post(base, sent)).status).toBe(503);
    expect((await post(base, sent)).status).toBe(204);
    expect(calls).toBe(2);
  });

  it("answers a WebhookError thrown by the handler (webhook.json() on a non-JSON body) with its code", async () => {
    const { app, processed } = receiver();
    const base = await listen(app);
    const response = await post(base, delivery("not json"));
    expect(response.status).toBe(400);
    expect(await codeOf(response)).toBe("malformed_body");
    expect(processed).toHaveLength(0);
  });

  it("refuses a streamed body without content-length as soon as it passes the limit", async () => {
    const { app, processed } = receiver({ maxBodyBytes: 1024 });
    const base = await listen(app);
    const sent = delivery("y".repeat(64 * 1024));
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
    expect(await codeOf(response)).toBe("body_too_large");
    expect(processed).toHaveLength(0);
  });

  it("gives up on a body whose sender hangs up half way, without running the handler", async () => {
    const events: WebhookEvent[] = [];
    const { app, processed } = receiver({ events });
    const base = await listen(app);
    const { port } = new URL(base);
    const sent = delivery("z".repeat(2048));
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
    const response = await post(base, delivery('{"parsed":true}'));
    expect(response.status).toBe(500);
    expect(await codeOf(response)).toBe("body_already_consumed");
    expect(events.map((e) => [e.type, e.code])).toEqual([["rejected", "body_already_consumed"]]);
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
          const sent = delivery(bytes);
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
