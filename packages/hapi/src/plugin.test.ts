import { request as httpRequest } from "node:http";
import Hapi from "@hapi/hapi";
import fc from "fast-check";
import { type AdapterReceiverOptions, codeOf, deliveries, describeAdapterContract, post } from "@hooksec/testkit/adapter-suite";
import { afterEach, describe, expect, it } from "vitest";
import {
  type HapiWebhookOptions,
  type WebhookEvent,
  WebhookError,
  createVerifier,
  getWebhook,
  plugin,
  rawPayload,
  standardWebhooks,
} from "./index.js";

const secret = `whsec_${Buffer.from("hapi adapter test secret, 32 byte").toString("base64")}`;
const scheme = standardWebhooks({ secret });
const servers: Hapi.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

interface ReceiverOptions extends Omit<AdapterReceiverOptions, "verifier"> {
  readonly routeMaxBytes?: number;
  readonly verifier?: HapiWebhookOptions | AdapterReceiverOptions["verifier"];
}

/** A server whose handler records what it processed. */
async function receiver(options: ReceiverOptions = {}) {
  const processed: Array<{ id: string; body: Uint8Array; json: unknown; tenant: unknown; artifactsId: unknown }> = [];
  const server = Hapi.server({ port: 0, host: "127.0.0.1" });
  servers.push(server);
  await server.register(plugin);
  await server.register(plugin); // a second registration is a no-op (once)
  server.auth.strategy(
    "webhooks",
    "webhook",
    options.verifier ?? {
      scheme,
      maxBodyBytes: options.maxBodyBytes,
      onEvent: options.events === undefined ? undefined : (event: WebhookEvent) => void options.events?.push(event),
    },
  );
  const handler = (request: Hapi.Request, h: Hapi.ResponseToolkit) => {
    if (options.fail?.()) throw new Error("handler failed");
    const received = getWebhook(request);
    processed.push({
      id: received.id,
      body: received.body,
      json: received.json(),
      tenant: request.auth.credentials.tenant,
      artifactsId: (request.auth.artifacts as { id?: unknown }).id,
    });
    return h.response().code(204);
  };
  server.route({
    method: "POST",
    path: "/webhooks",
    options: { auth: "webhooks", payload: { ...rawPayload, maxBytes: options.routeMaxBytes ?? 1_048_576 } },
    handler,
  });
  // The classic mistake: Hapi's default payload parsing on a webhook route.
  server.route({ method: "POST", path: "/parsed", options: { auth: "webhooks" }, handler });
  await server.start();
  return { base: server.info.uri, processed };
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
      { id: sent.id, body: expect.any(Uint8Array), json: { type: "invoice.paid" }, tenant: undefined, artifactsId: sent.id },
    ]);
  });

  it("gives Hapi's own 413 (route maxBytes under the verifier's limit) the webhook body and event", async () => {
    const events: WebhookEvent[] = [];
    const { base, processed } = await receiver({ routeMaxBytes: 1024, events });
    const response = await post(base, delivery(JSON.stringify("z".repeat(4096))));
    expect(response.status).toBe(413);
    expect(await codeOf(response)).toBe("body_too_large");
    expect(processed).toHaveLength(0);
    expect(events.map((e) => e.code)).toEqual(["body_too_large"]);
  });

  it("cuts off a streamed body over the route's maxBytes without reaching the handler", async () => {
    const { base, processed } = await receiver({ routeMaxBytes: 1024 });
    const sent = delivery(JSON.stringify("y".repeat(64 * 1024)));
    // Streamed in chunks without content-length: Hapi counts while reading and
    // drops the connection once past maxBytes (it logs the request as 499).
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(`${base}/webhooks`, { method: "POST", headers: sent.headers }, (res) => {
        res.resume();
        resolve(String(res.statusCode));
      });
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      const bytes = Buffer.from(sent.body as string);
      let offset = 0;
      const writeNext = () => {
        if (offset >= bytes.length) return void req.end();
        req.write(bytes.subarray(offset, offset + 512));
        offset += 512;
        setImmediate(writeNext);
      };
      writeNext();
    });
    expect(["413", "ECONNRESET", "EPIPE"]).toContain(outcome);
    expect(processed).toHaveLength(0);
  });

  it("refuses clearly with body_already_consumed on a route that parses the payload", async () => {
    const events: WebhookEvent[] = [];
    const { base, processed } = await receiver({ events });
    const response = await post(base, delivery('{"parsed":true}'), "/parsed");
    expect(response.status).toBe(500);
    expect(await codeOf(response)).toBe("body_already_consumed");
    expect(processed).toHaveLength(0);
    expect(events.map((e) => [e.type, e.code])).toEqual([["rejected", "body_already_consumed"]]);
  });

  it("passes any byte sequence through unchanged and refuses any single-byte change (property)", async () => {
    const { base, processed } = await receiver({ verifier: createVerifier({ scheme, replay: false }) });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (bytes, at, flip) => {
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
      }),
      { numRuns: 40 },
    );
  });
});
