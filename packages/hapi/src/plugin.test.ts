import { readFileSync } from "node:fs";
import { badRequest } from "@hapi/boom";
import Hapi from "@hapi/hapi";
import fc from "fast-check";
import {
  type AdapterReceiverOptions,
  codeOf,
  deliveries,
  describeAdapterContract,
  httpSender,
  post,
} from "@hooksec/testkit/adapter-suite";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  type HapiWebhookOptions,
  type WebhookEvent,
  WebhookError,
  type WebhookScheme,
  createReceiver,
  getWebhook,
  plugin,
  rawPayload,
  standardWebhooks,
} from "./index.js";

const secret = `whsec_${Buffer.from("hapi adapter test secret, 32 byte").toString("base64")}`;
const scheme = standardWebhooks({ secret });
const servers: Hapi.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop({ timeout: 100 })));
});

interface HapiReceiverOptions extends AdapterReceiverOptions {
  /** The strategy's options instead of the ones built from the contract's. */
  readonly strategy?: HapiWebhookOptions;
  /** The handler answers this instead of 204. */
  readonly answer?: (request: Hapi.Request, h: Hapi.ResponseToolkit) => Hapi.Lifecycle.ReturnValue;
}

/** A started server whose handler records what it processed; `logs` is what Hapi logged as errors. */
async function receiver(options: HapiReceiverOptions = {}) {
  const processed: Array<{
    id: string;
    body: Uint8Array;
    json: unknown;
    tenant: string | undefined;
    artifactsId: unknown;
  }> = [];
  const logs: string[] = [];
  const server = Hapi.server({ port: 0, host: "127.0.0.1", debug: false });
  servers.push(server);
  server.events.on({ name: "request", channels: "error" }, (_request, event) => {
    logs.push(event.error instanceof Error ? event.error.message : String(event.data));
  });
  await server.register(plugin);
  await server.register(plugin); // a second registration is a no-op (once)
  server.auth.strategy(
    "webhooks",
    "webhook",
    options.strategy ?? {
      scheme: (options.scheme as WebhookScheme | undefined) ?? scheme,
      maxBodyBytes: options.maxBodyBytes,
      allowlist: options.allowlist,
      onEvent: options.events === undefined ? undefined : (event: WebhookEvent) => options.events?.push(event),
    },
  );
  server.route({
    method: "POST",
    path: "/webhooks",
    // parserFirst: the classic mistake, Hapi's default payload parsing on a webhook route.
    options: { auth: "webhooks", payload: options.parserFirst ? undefined : rawPayload },
    handler: async (request, h) => {
      if (options.slowMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
      if (options.fail?.()) throw new Error("handler failed");
      const received = getWebhook(request);
      processed.push({
        id: received.id,
        body: received.body,
        json: received.json(),
        tenant: request.auth.credentials.tenant,
        artifactsId: (request.auth.artifacts as { id?: unknown }).id,
      });
      return options.answer?.(request, h) ?? h.response().code(204);
    },
  });
  await server.start();
  const base = server.info.uri;
  return { base, send: httpSender(base), processed, logs, server };
}

const delivery = deliveries(secret);

describe("the webhook auth scheme for Hapi", () => {
  describeAdapterContract({ secret, receiver, WebhookError });

  it("verifies a delivery on its raw bytes; the webhook is the artifacts, the tenant in the credentials", async () => {
    const { base, processed } = await receiver();
    const sent = delivery('{"type":"invoice.paid"}');
    const response = await post(base, sent);
    expect(response.status).toBe(204);
    expect(processed).toEqual([
      {
        id: sent.id,
        body: expect.any(Uint8Array),
        json: { type: "invoice.paid" },
        tenant: undefined,
        artifactsId: sent.id,
      },
    ]);
  });

  it("types request.auth.credentials.tenant as string | undefined", () => {
    expectTypeOf<Hapi.Request["auth"]["credentials"]["tenant"]>().toEqualTypeOf<string | undefined>();
  });

  it("registers with the version of its package.json", () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(plugin.version).toBe(version);
  });

  it("releases the message when the handler answers 5xx without throwing, and completes it on 4xx", async () => {
    let calls = 0;
    const { base, processed } = await receiver({
      answer: (_request, h) => h.response().code(++calls === 1 ? 503 : 400),
    });
    const sent = delivery("{}");
    expect((await post(base, sent)).status).toBe(503);
    expect((await post(base, sent)).status).toBe(400);
    expect((await post(base, sent)).status).toBe(200);
    expect(processed.map((p) => p.id)).toEqual([sent.id, sent.id]);
  });

  it("releases the message when the handler throws, a Boom of any status included", async () => {
    let calls = 0;
    const { base, processed } = await receiver({
      answer: (_request, h) => {
        if (++calls === 1) throw badRequest("not now");
        return h.response().code(204);
      },
    });
    const sent = delivery("{}");
    expect((await post(base, sent)).status).toBe(400);
    expect((await post(base, sent)).status).toBe(204);
    expect((await post(base, sent)).status).toBe(200);
    expect(processed.map((p) => p.id)).toEqual([sent.id, sent.id]);
  });

  it("answers a WebhookError thrown by the handler (webhook.json() on a non-JSON body) with its code, and releases the message", async () => {
    const events: WebhookEvent[] = [];
    const { base, processed, logs } = await receiver({ events });
    const sent = delivery("not json");
    const response = await post(base, sent);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "malformed_body", message: "Malformed webhook body" } });
    expect(processed).toHaveLength(0);
    expect(events.map((e) => e.type)).toEqual(["verified", "handler_failed", "released"]);
    expect(logs).toEqual([]);
  });

  it("answers a chunked body over the limit with 413 body_too_large and an event, not a reset", async () => {
    const events: WebhookEvent[] = [];
    const { base, processed } = await receiver({ maxBodyBytes: 1024, events });
    const sent = delivery(JSON.stringify("y".repeat(64 * 1024)));
    const bytes = new TextEncoder().encode(sent.body as string);
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (let i = 0; i < bytes.length; i += 512) {
          controller.enqueue(bytes.subarray(i, i + 512));
          await new Promise((resolve) => setImmediate(resolve));
        }
        controller.close();
      },
    });
    const response = await httpSender(base)("/webhooks", { headers: sent.headers, body: stream });
    expect(response.status).toBe(413);
    expect(response.headers.get("connection")).toBe("close");
    expect(await codeOf(response)).toBe("body_too_large");
    expect(processed).toHaveLength(0);
    expect(events.map((e) => e.code)).toEqual(["body_too_large"]);
  });

  it("logs the fix for a route that parses the payload: payload: rawPayload", async () => {
    const { send, logs } = await receiver({ parserFirst: true });
    const response = await send("/webhooks", delivery('{"parsed":true}'));
    expect(response.status).toBe(500);
    expect(logs).toEqual([expect.stringMatching(/^Webhook body already consumed: .*payload: rawPayload/)]);
  });

  it("refuses a route that buffers the payload (output: 'data') the same way", async () => {
    const { server, base, processed } = await receiver();
    server.route({
      method: "POST",
      path: "/buffered",
      options: { auth: "webhooks", payload: { parse: false, output: "data" } },
      handler: (_request, h) => h.response().code(204),
    });
    expect((await post(base, delivery("{}"), "/buffered")).status).toBe(500);
    expect(processed).toHaveLength(0);
  });

  it("names the fix when the strategy has no options", async () => {
    const server = Hapi.server();
    await server.register(plugin);
    expect(() => server.auth.strategy("webhooks", "webhook")).toThrow(/misconfigured: .*standardWebhooks\(\{ secret/);
  });

  it("answers a duplicate with the takeover response and a message in progress with a Boom carrying data.code and Retry-After", async () => {
    const { base, server } = await receiver({ slowMs: 300 });
    const seen: Array<{ status: number; code: unknown }> = [];
    server.ext("onPreResponse", (request, h) => {
      const response = request.response;
      if (response !== null && "isBoom" in response && response.isBoom)
        seen.push({ status: response.output.statusCode, code: (response.data as { code?: unknown }).code });
      return h.continue;
    });
    const sent = delivery("{}");
    const first = post(base, sent);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const during = await post(base, sent);
    expect(during.status).toBe(409);
    expect(during.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await first).status).toBe(204);
    const again = await post(base, sent);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true, id: sent.id });
    expect(seen).toEqual([{ status: 409, code: "message_in_progress" }]);
  });

  it("completes a delivery whose sender hung up while the handler ran, once the handler is done", async () => {
    const events: WebhookEvent[] = [];
    const { base, processed } = await receiver({ slowMs: 300, events });
    const sent = delivery("{}");
    const aborted = new AbortController();
    const hungUp = fetch(`${base}/webhooks`, {
      method: "POST",
      headers: sent.headers,
      body: sent.body as string,
      signal: aborted.signal,
    });
    hungUp.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    aborted.abort();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.map((e) => e.type)).toContain("completed");
    expect((await post(base, sent)).status).toBe(200);
    expect(processed.map((p) => p.id)).toEqual([sent.id]);
  });

  it("passes any byte sequence through unchanged and refuses any single-byte change (property)", async () => {
    const { base, processed } = await receiver({ strategy: createReceiver({ scheme, replay: false }) });
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (bytes, at, flip) => {
          // JSON bodies only here: the test handler parses them.
          const json = new TextEncoder().encode(JSON.stringify(Buffer.from(bytes).toString("latin1")));
          const sent = delivery(json);
          processed.length = 0;
          expect((await post(base, sent)).status).toBe(204);
          expect(Buffer.from(processed[0]?.body ?? []).equals(Buffer.from(json))).toBe(true);
          const tampered = json.slice();
          const index = at % tampered.length;
          tampered[index] = (tampered[index] ?? 0) ^ flip;
          expect((await post(base, { ...sent, body: tampered })).status).toBe(401);
        },
      ),
      { numRuns: 40 },
    );
  });
});
