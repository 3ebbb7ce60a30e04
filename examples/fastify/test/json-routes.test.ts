// The rest of the app keeps Fastify's JSON parsing: the webhook route, in the plugin's scope,
// reads its raw bytes, and the routes outside that scope still get parsed bodies.
import { randomSecret, send, signed, standardWebhooksHeaders } from "@hooksec/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningExample, start } from "../src/index.js";

describe("the Fastify example's JSON routes next to the webhook route", () => {
  const secret = randomSecret();
  let example: RunningExample;

  beforeAll(async () => {
    example = await start({ secret });
  });
  afterAll(async () => {
    await example?.close();
  });

  it("parses JSON on POST /api/orders, in the app that verifies webhooks on their raw bytes", async () => {
    const sent = signed(secret, { type: "order.created", id: 7 });
    expect((await send(`${example.url}/webhooks`, { headers: sent.headers, body: sent.body })).status).toBe(204);

    const order = await send(`${example.url}/api/orders`, { body: JSON.stringify({ sku: "A-1", quantity: 2 }) });
    expect(order.status).toBe(201);
    expect(order.body).toEqual({ received: { sku: "A-1", quantity: 2 } });

    // The parser ran for the JSON route only: the webhook was processed from its own bytes.
    expect(example.inbox.processed).toContainEqual(expect.objectContaining({ id: sent.id, type: "order.created" }));
  });

  it("answers Fastify's refusal of bad JSON with 400, not a stack trace", async () => {
    const reply = await send(`${example.url}/api/orders`, { body: "{not json" });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: { code: "bad_request", message: "Bad Request" } });
  });

  it("answers a signed webhook body that is not JSON with 400 malformed_body, processing nothing", async () => {
    // Verified (the signature is right), then the handler's webhook.json() refuses it.
    const id = `msg_not_json_${Date.now()}`;
    const body = "not json";
    const headers = standardWebhooksHeaders(secret, { id, timestamp: new Date(), body });
    const reply = await send(`${example.url}/webhooks`, { headers, body });
    expect(reply.status).toBe(400);
    expect(reply.body.error?.code).toBe("malformed_body");
    expect(example.inbox.processed.map((event) => event.id)).not.toContain(id);
  });
});
