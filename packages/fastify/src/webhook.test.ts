import { createRequire } from "node:module";
import {
  type AdapterReceiverOptions,
  codeOf,
  deliveries,
  describeAdapterContract,
  expectRawBytesKept,
  httpSender,
  post,
} from "@hooksec/testkit/adapter-suite";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import {
  type VerifiedWebhook,
  WebhookError,
  type WebhookScheme,
  createReceiver,
  standardWebhooks,
  webhook,
} from "./index.js";

const secret = `whsec_${Buffer.from("fastify adapter test secret, 32b").toString("base64")}`;
const scheme = standardWebhooks({ secret });
const delivery = deliveries(secret);
const apps: FastifyInstance[] = [];
const fastifyVersion = (createRequire(import.meta.url)("fastify/package.json") as { version: string }).version;

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A Fastify app whose log lines (pino JSON) land in `logs`, as `msg` and the error's message. */
function app(logs: string[] = []): FastifyInstance {
  const instance = Fastify({
    logger: {
      level: "warn",
      stream: {
        write(line: string) {
          const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
          logs.push([entry.msg, entry.err?.message].filter(Boolean).join(" | "));
        },
      },
    },
  });
  apps.push(instance);
  return instance;
}

async function listen(instance: FastifyInstance): Promise<string> {
  return instance.listen({ port: 0, host: "127.0.0.1" });
}

/** An app with the plugin in the webhook scope and a handler that records what it processed. */
async function receiver(options: AdapterReceiverOptions = {}) {
  const processed: Array<{ id: string; body: Uint8Array }> = [];
  const logs: string[] = [];
  const instance = app(logs);
  await instance.register(async (scope) => {
    await scope.register(webhook, {
      scheme: (options.scheme as WebhookScheme | undefined) ?? scheme,
      maxBodyBytes: options.maxBodyBytes,
      allowlist: options.allowlist,
      onEvent: options.events === undefined ? undefined : (event) => options.events?.push(event),
    });
    // The usual mistake: Fastify's JSON parser put back in the webhook scope.
    if (options.parserFirst)
      scope.addContentTypeParser(
        "application/json",
        { parseAs: "string" },
        scope.getDefaultJsonParser("ignore", "ignore"),
      );
    scope.post("/webhooks", async (request, reply) => {
      const received = request.webhook;
      if (received === undefined) throw new Error("not verified");
      if (options.slowMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
      if (options.fail?.()) throw new Error("handler failed");
      processed.push({ id: received.id, body: received.body });
      return reply.code(204).send();
    });
  });
  return { instance, processed, logs };
}

describe(`webhook plugin for Fastify ${fastifyVersion}`, () => {
  describeAdapterContract({
    secret,
    receiver: async (options) => {
      const { instance, processed, logs } = await receiver(options);
      const base = await listen(instance);
      return { base, send: httpSender(base), processed, logs };
    },
    WebhookError,
  });

  it("logs the fix when a JSON parser ran first in the webhook scope", async () => {
    const { instance, logs } = await receiver({ parserFirst: true });
    const base = await listen(instance);
    const response = await post(base, delivery('{"a":1}'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: { code: "body_already_consumed", message: "Webhook body already consumed" },
    });
    expect(logs.join("\n")).toContain("await scope.register(webhook, options)");
  });

  it("keeps JSON parsing for the rest of the app: the raw parser stays in the webhook scope (encapsulation)", async () => {
    const instance = app();
    let seen: unknown;
    await instance.register(async (scope) => {
      await scope.register(webhook, { scheme });
      scope.post("/webhooks", async (request, reply) => {
        seen = request.webhook?.json();
        return reply.code(204).send();
      });
    });
    instance.post("/api", async (request, reply) => {
      seen = { body: request.body, webhook: request.webhook };
      return reply.code(204).send();
    });
    const base = await listen(instance);
    expect((await post(base, delivery('{"via":"webhook"}'))).status).toBe(204);
    expect(seen).toEqual({ via: "webhook" });
    const other = await fetch(`${base}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"via":"parser"}',
    });
    expect(other.status).toBe(204);
    expect(seen).toEqual({ body: { via: "parser" }, webhook: undefined });
  });

  it("verifies deliveries of any content type, and a route registered in two sibling scopes", async () => {
    const instance = app();
    for (const prefix of ["/a", "/b"]) {
      await instance.register(
        async (scope) => {
          await scope.register(webhook, { scheme });
          scope.post("/webhooks", async (request) => request.webhook?.text());
        },
        { prefix },
      );
    }
    const base = await listen(instance);
    for (const [path, type] of [
      ["/a/webhooks", "text/plain"],
      ["/b/webhooks", "application/x-www-form-urlencoded"],
    ] as const) {
      const sent = delivery("a=1&b=2");
      const response = await post(base, { ...sent, headers: { ...sent.headers, "content-type": type } }, path);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("a=1&b=2");
    }
  });

  it("takes the bytes a buffering parser left (parseAs: 'buffer')", async () => {
    const instance = app();
    await instance.register(async (scope) => {
      await scope.register(webhook, { scheme });
      scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
      scope.post("/webhooks", async (request) => request.webhook?.json());
    });
    const base = await listen(instance);
    const sent = delivery('{"via":"buffer"}');
    const response = await post(base, sent);
    expect(await response.json()).toEqual({ via: "buffer" });
    expect((await post(base, { ...sent, body: '{"via":"tampered"}' })).status).toBe(401);
  });

  it("releases the message when the handler answers 5xx or throws a WebhookError (answered with its code), and completes it after a success", async () => {
    let calls = 0;
    const instance = app();
    await instance.register(async (scope) => {
      await scope.register(webhook, { scheme });
      scope.post("/webhooks", async (request, reply) => {
        calls++;
        if (calls === 1) return reply.code(503).send();
        if (calls === 2) return request.webhook?.json(); // not JSON: malformed_body
        return reply.code(204).send();
      });
    });
    const base = await listen(instance);
    const sent = delivery("not json");
    expect((await post(base, sent)).status).toBe(503);
    const refused = await post(base, sent);
    expect(refused.status).toBe(400);
    expect(await codeOf(refused)).toBe("malformed_body");
    expect((await post(base, sent)).status).toBe(204);
    expect((await post(base, sent)).status).toBe(200);
    expect(calls).toBe(3);
  });

  it("passes other errors on to the app's own error handler, and releases the message", async () => {
    let failures = 1;
    const handled: string[] = [];
    const instance = app();
    instance.setErrorHandler((error: Error, _request, reply) => {
      handled.push(error.message);
      return reply.code(500).send({ oops: true });
    });
    await instance.register(async (scope) => {
      await scope.register(webhook, { scheme });
      scope.post("/webhooks", async (_request, reply) => {
        if (failures-- > 0) throw new Error("database down");
        return reply.code(204).send();
      });
    });
    const base = await listen(instance);
    const sent = delivery("{}");
    const failed = await post(base, sent);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ oops: true });
    expect(handled).toEqual(["database down"]);
    expect((await post(base, sent)).status).toBe(204);
  });

  it("keeps the message for a handler that answers after the client hung up, so a retry is a duplicate, not a second run", async () => {
    let runs = 0;
    let answered = false;
    const instance = app();
    await instance.register(async (scope) => {
      await scope.register(webhook, { scheme });
      scope.post("/webhooks", async (_request, reply) => {
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 300));
        answered = true;
        return reply.code(204).send();
      });
    });
    const base = await listen(instance);
    const sent = delivery("{}");
    const controller = new AbortController();
    const first = fetch(`${base}/webhooks`, {
      method: "POST",
      headers: sent.headers,
      body: sent.body as string,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await expect(first).rejects.toMatchObject({ name: "AbortError" });
    expect((await post(base, sent)).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(answered).toBe(true);
    expect((await post(base, sent)).status).toBe(200);
    expect(runs).toBe(1);
  });

  it("types request.webhook through the FastifyRequest augmentation", async () => {
    const instance = app();
    await instance.register(async (scope) => {
      await scope.register(webhook, { receiver: createReceiver({ scheme }) });
      scope.post("/webhooks", async (request) => {
        const verified: VerifiedWebhook | undefined = request.webhook;
        return { id: verified?.id };
      });
    });
    const sent = delivery("{}");
    const response = await instance.inject({
      method: "POST",
      url: "/webhooks",
      headers: sent.headers,
      payload: sent.body as string,
    });
    expect(response.json()).toEqual({ id: sent.id });
  });

  it("passes any byte sequence through unchanged and refuses any single-byte change (property)", async () => {
    const received: Uint8Array[] = [];
    const instance = app();
    await instance.register(async (scope) => {
      await scope.register(webhook, { receiver: createReceiver({ scheme, replay: false }) });
      scope.post("/webhooks", async (request, reply) => {
        received.push(request.webhook?.body ?? new Uint8Array());
        return reply.code(204).send();
      });
    });
    const base = await listen(instance);
    await expectRawBytesKept(base, received, delivery, 30);
  });
});
