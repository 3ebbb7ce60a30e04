import { stripe } from "@hooksec/core";
import { send, signed } from "@hooksec/testkit";
import { readFileSync } from "node:fs";
import { describe, expect, inject, it, vi } from "vitest";

const url = inject("nextUrl");
const secret = inject("webhookSecret");

const post = (path: string, headers: Record<string, string>, body: string) => send(`${url}${path}`, { headers, body });

async function timesProcessed(id: string): Promise<number> {
  const events = (await (await fetch(`${url}/api/events`)).json()) as Array<{ id: string }>;
  return events.filter((event) => event.id === id).length;
}

describe("the Next.js example (next start), Standard Webhooks route", () => {
  const deliver = (sent: { headers: Record<string, string>; body: string }) =>
    post("/api/webhooks", sent.headers, sent.body);

  it("processes a valid delivery once", async () => {
    const sent = signed(secret, { type: "invoice.paid" });
    expect((await deliver(sent)).status).toBe(204);
    expect(await timesProcessed(sent.id)).toBe(1);
  });

  it("refuses a tampered body with 401 invalid_signature", async () => {
    const sent = signed(secret, { type: "invoice.paid", amount: 42 });
    const reply = await deliver({ ...sent, body: sent.body.replace("42", "4200") });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ error: { code: "invalid_signature", message: "Invalid webhook signature" } });
    expect(await timesProcessed(sent.id)).toBe(0);
  });

  it("refuses a stale delivery with timestamp_too_old", async () => {
    const sent = signed(secret, { type: "invoice.paid" }, { timestamp: new Date(Date.now() - 10 * 60_000) });
    const reply = await deliver(sent);
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("timestamp_too_old");
  });

  it("acknowledges a duplicate with 200 and does not process it twice", async () => {
    const sent = signed(secret, { type: "invoice.paid" });
    expect((await deliver(sent)).status).toBe(204);
    const again = await deliver(sent);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true, id: sent.id });
    expect(await timesProcessed(sent.id)).toBe(1);
  });

  it("processes the retry once after the handler failed", async () => {
    const sent = signed(secret, { type: "demo.fail_once" });
    expect((await deliver(sent)).status).toBe(500);
    expect(await timesProcessed(sent.id)).toBe(0);
    expect((await deliver(sent)).status).toBe(204);
    expect((await deliver(sent)).status).toBe(200);
    expect(await timesProcessed(sent.id)).toBe(1);
  });

  it("refuses an oversize body with 413 body_too_large", async () => {
    const sent = signed(secret, { type: "big", data: "x".repeat(inject("maxBodyBytes") + 1) });
    const reply = await deliver(sent);
    expect(reply.status).toBe(413);
    expect(reply.body.error?.code).toBe("body_too_large");
  });

  it("fails with a 500 through Next.js's error path when the body was read before verification, processing nothing", async () => {
    // body_already_consumed is a setup mistake: thrown for Next.js to log (the
    // message says how to fix the route); the wire gets nothing but a 500.
    const sent = signed(secret, { type: "invoice.paid" });
    const reply = await post("/api/webhooks/pre-read", sent.headers, sent.body);
    expect(reply.status).toBe(500);
    expect(reply.text).not.toMatch(/consumed|withWebhook/i);
    expect(await timesProcessed(sent.id)).toBe(0);
    await vi.waitFor(() =>
      expect(readFileSync(inject("serverLog"), "utf8")).toContain(
        "Webhook body already consumed: the route read the request body",
      ),
    );
  });
});

describe("the Next.js example, Stripe preset on the edge runtime", () => {
  const stripeScheme = stripe({ secret: inject("stripeSecret") });

  it("verifies a Stripe event in the edge runtime", async () => {
    const body = JSON.stringify({ id: `evt_${Date.now()}`, type: "payment_intent.succeeded" });
    const headers = await stripeScheme.sign({ id: "unused", timestamp: new Date(), body });
    const reply = await post("/api/webhooks/stripe", headers, body);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ received: "payment_intent.succeeded", runtime: "edge" });
  });

  it("refuses a Stripe event signed with another secret", async () => {
    const body = JSON.stringify({ id: `evt_${Date.now()}_x`, type: "payment_intent.succeeded" });
    const headers = await stripe({ secret: "whsec_not_the_right_one" }).sign({
      id: "unused",
      timestamp: new Date(),
      body,
    });
    const reply = await post("/api/webhooks/stripe", headers, body);
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("invalid_signature");
  });
});
