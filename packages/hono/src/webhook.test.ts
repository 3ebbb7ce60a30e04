import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import {
  type AdapterReceiverOptions,
  deliveries,
  describeAdapterContract,
  expectRawBytesKept,
  httpSender,
  post,
} from "@hooksec/testkit/adapter-suite";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { validator } from "hono/validator";
import { afterEach, describe, expect, it } from "vitest";
import {
  type VerifiedWebhook,
  type WebhookEnv,
  WebhookError,
  type WebhookScheme,
  createReceiver,
  standardWebhooks,
  webhook,
} from "./index.js";

const secret = `whsec_${Buffer.from("hono adapter test secret, 32 by").toString("base64")}`;
const scheme = standardWebhooks({ secret });
const delivery = deliveries(secret);
const servers: ServerType[] = [];
// hono exports no ./package.json: read it from the folder of its dist.
const honoEntry = createRequire(import.meta.url).resolve("hono");
const honoVersion = (
  JSON.parse(readFileSync(`${honoEntry.slice(0, honoEntry.lastIndexOf("/dist/"))}/package.json`, "utf8")) as {
    version: string;
  }
).version;

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Serves the app on @hono/node-server, on loopback. */
async function listen(app: Hono<WebhookEnv>): Promise<string> {
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An app whose handler records what it processed; its onError logs and answers a generic 500. */
function receiver(options: AdapterReceiverOptions = {}, served = true) {
  const processed: Array<{ id: string; body: Uint8Array }> = [];
  const logs: string[] = [];
  const app = new Hono<WebhookEnv>();
  app.onError((error, c) => {
    logs.push(error.message);
    return c.text("Internal Server Error", 500);
  });
  const verify = webhook(
    {
      scheme: (options.scheme as WebhookScheme | undefined) ?? scheme,
      maxBodyBytes: options.maxBodyBytes,
      allowlist: options.allowlist,
      onEvent: options.events === undefined ? undefined : (event) => options.events?.push(event),
    },
    // Only a server knows the peer: @hono/node-server's getConnInfo reads its socket.
    served ? { getConnInfo } : {},
  );
  const handle = async (c: { get(key: "webhook"): VerifiedWebhook; body(data: null, status: 204): Response }) => {
    const received = c.get("webhook");
    if (options.slowMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
    if (options.fail?.()) throw new Error("handler failed");
    processed.push({ id: received.id, body: received.body });
    return c.body(null, 204);
  };
  // The usual mistake: a JSON validator in front of the webhook middleware.
  if (options.parserFirst)
    app.post(
      "/webhooks",
      validator("json", (value) => value),
      verify,
      handle,
    );
  else app.post("/webhooks", verify, handle);
  return { app, processed, logs };
}

describe(`webhook() middleware for Hono ${honoVersion} on @hono/node-server`, () => {
  describeAdapterContract({
    secret,
    receiver: async (options) => {
      const { app, processed, logs } = receiver(options);
      const base = await listen(app);
      return { base, send: httpSender(base), processed, logs };
    },
    WebhookError,
  });

  describe("through the Web Request alone (app.fetch, as on Bun, Deno and Workers)", () => {
    describeAdapterContract({
      secret,
      seesConnection: false,
      receiver: async (options) => {
        const { app, processed, logs } = receiver(options, false);
        const send = (
          path: string,
          request: {
            headers: Record<string, string>;
            body: Uint8Array | string | ReadableStream<Uint8Array>;
            declaredLength?: string;
          },
        ) => {
          const headers =
            request.declaredLength === undefined
              ? request.headers
              : { ...request.headers, "content-length": request.declaredLength };
          const body =
            typeof request.body === "string" || request.body instanceof ReadableStream
              ? request.body
              : new Uint8Array(request.body);
          return Promise.resolve(
            app.fetch(
              new Request(`http://receiver.test${path}`, {
                method: "POST",
                headers,
                body,
                duplex: "half",
              } as RequestInit),
            ),
          );
        };
        return { send, processed, logs };
      },
      WebhookError,
    });
  });

  it("throws the fix to onError when a validator read the body first", async () => {
    const { app, logs } = receiver({ parserFirst: true });
    const base = await listen(app);
    expect((await post(base, delivery('{"a":1}'))).status).toBe(500);
    expect(logs[0]).toContain('app.post("/webhooks", webhook(options), handler)');
  });

  it('types c.get("webhook") and lets the handler and validators after it read the verified bytes again', async () => {
    const app = new Hono<WebhookEnv>();
    app.post(
      "/webhooks",
      webhook({ scheme }),
      validator("json", (value) => value as { via: string }),
      async (c) => {
        const verified: VerifiedWebhook = c.get("webhook");
        return c.json({
          id: verified.id,
          json: await c.req.json(),
          text: await c.req.text(),
          valid: c.req.valid("json"),
        });
      },
    );
    const base = await listen(app);
    const sent = delivery('{"via":"webhook"}');
    const response = await post(base, sent);
    expect(await response.json()).toEqual({
      id: sent.id,
      json: { via: "webhook" },
      text: '{"via":"webhook"}',
      valid: { via: "webhook" },
    });
  });

  it("uses the raw bytes a middleware before it cached with c.req.arrayBuffer()", async () => {
    const app = new Hono<WebhookEnv>();
    app.use(async (c, next) => {
      await c.req.arrayBuffer();
      await next();
    });
    app.post("/webhooks", webhook({ scheme }), (c) => c.text(c.get("webhook").text()));
    const base = await listen(app);
    const sent = delivery('{"cached":true}');
    expect(await (await post(base, sent)).text()).toBe('{"cached":true}');
    expect((await post(base, { ...sent, body: '{"cached":false}' })).status).toBe(401);
  });

  it("releases the message when the handler throws (onError answers, even a 4xx) or answers 5xx, and answers a WebhookError it throws with its code", async () => {
    let calls = 0;
    const app = new Hono<WebhookEnv>();
    app.onError((error, c) => (error instanceof HTTPException ? error.getResponse() : c.text("oops", 500)));
    app.post("/webhooks", webhook({ scheme }), (c) => {
      calls++;
      if (calls === 1) return c.body(null, 503);
      if (calls === 2) throw new HTTPException(422, { message: "not today" });
      if (calls === 3) return c.json(c.get("webhook").json()); // not JSON: malformed_body
      return c.body(null, 204);
    });
    const base = await listen(app);
    const sent = delivery("not json");
    expect((await post(base, sent)).status).toBe(503);
    expect((await post(base, sent)).status).toBe(422);
    const refused = await post(base, sent);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: { code: "malformed_body", message: "Malformed webhook body" } });
    expect((await post(base, sent)).status).toBe(204);
    expect((await post(base, sent)).status).toBe(200);
    expect(calls).toBe(4);
  });

  it("runs with app.request() alone (no server, as on an edge runtime), knowing no peer address", async () => {
    const app = new Hono<WebhookEnv>();
    app.post("/webhooks", webhook({ scheme }), (c) => c.json({ id: c.get("webhook").id }));
    const sent = delivery("{}");
    const response = await app.request("/webhooks", {
      method: "POST",
      headers: sent.headers,
      body: sent.body as string,
    });
    expect(await response.json()).toEqual({ id: sent.id });
  });

  it("passes any byte sequence through unchanged and refuses any single-byte change (property)", async () => {
    const received: Uint8Array[] = [];
    const app = new Hono<WebhookEnv>();
    app.post("/webhooks", webhook(createReceiver({ scheme, replay: false })), (c) => {
      received.push(c.get("webhook").body);
      return c.body(null, 204);
    });
    const base = await listen(app);
    await expectRawBytesKept(base, received, delivery, 30);
  });

  it("keeps node: imports out of the middleware (runtime-neutral source)", async () => {
    const { readFile } = await import("node:fs/promises");
    for (const file of ["webhook.ts", "index.ts"]) {
      const source = await readFile(new URL(`./${file}`, import.meta.url), "utf8");
      expect(source).not.toMatch(/from "node:|@hooksec\/core\/node/);
    }
  });
});
