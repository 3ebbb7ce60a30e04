import { once } from "node:events";
import { type Server, createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { bodyParser } from "@koa/bodyparser";
import Koa from "koa";
import {
  type AdapterReceiverOptions,
  codeOf,
  deliveries,
  describeAdapterContract,
  expectRawBytesKept,
  httpSender,
  post,
} from "@hooksec/testkit/adapter-suite";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type WebhookEvent,
  WebhookError,
  type WebhookScheme,
  type WebhookState,
  createReceiver,
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
  const logs: string[] = [];
  const app = new Koa<WebhookState>();
  app.on("error", (error: Error) => logs.push(error.message));
  if (options.parserFirst) app.use(bodyParser());
  app.use(
    webhook({
      scheme: (options.scheme as WebhookScheme | undefined) ?? scheme,
      maxBodyBytes: options.maxBodyBytes,
      allowlist: options.allowlist,
      onEvent: options.events === undefined ? undefined : (event) => options.events?.push(event),
    }),
  );
  app.use(async (ctx) => {
    const { webhook: received } = ctx.state;
    if (options.slowMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
    if (options.fail?.()) throw new Error("handler failed");
    processed.push({ id: received.id, body: received.body, json: received.json() });
    ctx.status = 204;
  });
  return { app, processed, logs };
}

describe("webhook() middleware for Koa", () => {
  describeAdapterContract({
    secret,
    receiver: async (options) => {
      const { app, processed, logs } = receiver(options);
      const base = await listen(app);
      return { base, send: httpSender(base), processed, logs };
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

  it("works behind an app-wide @koa/bodyparser when the webhook route sets ctx.disableBodyParser (the fix its error names)", async () => {
    const app = new Koa<WebhookState>();
    app.silent = true;
    app.use(async (ctx, next) => {
      if (ctx.path === "/webhooks") ctx.disableBodyParser = true;
      await next();
    });
    app.use(bodyParser());
    app.use(async (ctx, next) => (ctx.path === "/webhooks" ? webhook({ scheme })(ctx, next) : next()));
    let seen: unknown;
    app.use((ctx) => {
      seen = ctx.path === "/webhooks" ? ctx.state.webhook.json() : ctx.request.body;
      ctx.status = 204;
    });
    const base = await listen(app);
    expect((await post(base, delivery('{"via":"webhook"}'))).status).toBe(204);
    expect(seen).toEqual({ via: "webhook" });
    const other = await fetch(`${base}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"via":"parser"}',
    });
    expect(other.status).toBe(204);
    expect(seen).toEqual({ via: "parser" });
  });

  it("passes any byte sequence through unchanged and refuses any single-byte change (property)", async () => {
    const shared = createReceiver({ scheme, replay: false });
    const received: Uint8Array[] = [];
    const app = new Koa<WebhookState>();
    app.silent = true;
    app.use(webhook(shared));
    app.use((ctx) => {
      received.push(ctx.state.webhook.body);
      ctx.status = 204;
    });
    const base = await listen(app);
    await expectRawBytesKept(base, received, delivery, 40);
  });
});
