import { describe, expect, it } from "vitest";
import { WebhookError } from "../errors/webhook-error.js";
import { createMemoryReplayStore } from "../replay/memory-replay-store.js";
import { standardWebhooks } from "../schemes/standard-webhooks/standard-webhooks.js";
import { FIXED_NOW_MS, testSecret, webhookRequest } from "../test-support/fixtures.js";
import type { VerifiedWebhook } from "../verifier/verified-webhook.js";
import type { WebhookEvent } from "../verifier/types.js";
import { bodyConsumed, createReceiver } from "./create-receiver.js";
import type { ReceiveOutcome, ReceiverOptions } from "./types.js";

const secret = testSecret();
const scheme = standardWebhooks({ secret });
const URL_ = "https://receiver.test/webhooks";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function delivery(id: string, at: number, body = '{"type":"invoice.paid"}') {
  return { headers: await scheme.sign({ id, timestamp: new Date(at), body }), body };
}

/** A receiver on an injected clock with a handler that records what it processed. */
function harness(options: Partial<ReceiverOptions> = {}) {
  const clock = { now: FIXED_NOW_MS };
  const events: WebhookEvent[] = [];
  const receiver = createReceiver({ scheme, now: () => clock.now, onEvent: (event) => events.push(event), ...options });
  const processed: string[] = [];
  const ok = async (webhook: VerifiedWebhook) => {
    processed.push(webhook.id);
    return new Response(null, { status: 204 });
  };
  return { clock, events, receiver, processed, ok };
}

function statusOf(outcome: ReceiveOutcome<Response>): number {
  return outcome.handled ? outcome.result.status : outcome.response.status;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("createReceiver().receive", () => {
  it("runs the handler once, then acknowledges every later delivery of the message as a duplicate", async () => {
    const { receiver, processed, ok, events } = harness();
    const sent = await delivery("msg_1", FIXED_NOW_MS);
    expect(statusOf(await receiver.receive(webhookRequest(sent.headers, sent.body), ok))).toBe(204);
    const again = await receiver.receive(webhookRequest(sent.headers, sent.body), ok);
    expect(again).toMatchObject({
      handled: false,
      response: { status: 200, body: { duplicate: true, id: "msg_1" }, headers: {} },
    });
    expect(processed).toEqual(["msg_1"]);
    expect(events.map((e) => e.type)).toEqual(["verified", "completed", "duplicate"]);
  });

  it("acknowledges retries of a completed message 1 minute, 30 minutes, 2 hours and 24 hours later (fresh signatures) without running the handler", async () => {
    const { receiver, processed, ok, clock } = harness();
    const first = await delivery("msg_late", clock.now);
    await receiver.receive(webhookRequest(first.headers, first.body), ok);
    for (const later of [MINUTE, 30 * MINUTE, 2 * HOUR, 24 * HOUR]) {
      clock.now = FIXED_NOW_MS + later;
      const retry = await delivery("msg_late", clock.now);
      expect(statusOf(await receiver.receive(webhookRequest(retry.headers, retry.body), ok))).toBe(200);
    }
    expect(processed).toEqual(["msg_late"]);
    // Past the idempotency horizon (72 h by default) the id is forgotten.
    clock.now = FIXED_NOW_MS + 72 * HOUR + 1;
    const afterHorizon = await delivery("msg_late", clock.now);
    expect(statusOf(await receiver.receive(webhookRequest(afterHorizon.headers, afterHorizon.body), ok))).toBe(204);
    expect(processed).toEqual(["msg_late", "msg_late"]);
  });

  it("answers a retry that arrives while the first attempt runs with 409 message_in_progress and Retry-After, never a 2xx, and processes the retry after the first fails", async () => {
    const { receiver, processed, events } = harness();
    const sent = await delivery("msg_race", FIXED_NOW_MS);
    const gate = deferred();
    const failing = receiver.receive(webhookRequest(sent.headers, sent.body), async () => {
      await gate.promise;
      throw new Error("database down");
    });
    await new Promise((r) => setTimeout(r, 10));
    const during = await receiver.receive(
      webhookRequest(sent.headers, sent.body),
      async () => new Response(null, { status: 204 }),
    );
    expect(during).toMatchObject({
      handled: false,
      response: { status: 409, headers: { "retry-after": "30" }, body: { error: { code: "message_in_progress" } } },
    });
    gate.resolve();
    await expect(failing).rejects.toThrow("database down");
    const retry = await receiver.receive(webhookRequest(sent.headers, sent.body), async (webhook) => {
      processed.push(webhook.id);
      return new Response(null, { status: 204 });
    });
    expect(statusOf(retry)).toBe(204);
    expect(processed).toEqual(["msg_race"]);
    expect(events.map((e) => e.type)).toEqual([
      "verified",
      "in_progress",
      "handler_failed",
      "released",
      "verified",
      "completed",
    ]);
  });

  it("releases the message when the handler answers 5xx, and sends that answer", async () => {
    const { receiver } = harness();
    const sent = await delivery("msg_5xx", FIXED_NOW_MS);
    const outcome = await receiver.receive(
      webhookRequest(sent.headers, sent.body),
      () => new Response("later", { status: 503 }),
    );
    expect(outcome.handled && outcome.result.status).toBe(503);
    expect(
      statusOf(
        await receiver.receive(webhookRequest(sent.headers, sent.body), () => new Response(null, { status: 202 })),
      ),
    ).toBe(202);
  });

  it("turns a WebhookError from the handler (webhook.json() on a non-JSON body) into its answer, and releases the message", async () => {
    const { receiver } = harness();
    const sent = await delivery("msg_text", FIXED_NOW_MS, "not json");
    const outcome = await receiver.receive(webhookRequest(sent.headers, sent.body), (webhook) => webhook.json());
    expect(outcome).toMatchObject({
      handled: false,
      response: { status: 400, body: { error: { code: "malformed_body" } } },
    });
    const retry = await receiver.receive(webhookRequest(sent.headers, sent.body), (webhook) => webhook.text());
    expect(retry).toMatchObject({ handled: true, result: "not json" });
  });

  it("renews the lease while a slow handler runs, so a retry meanwhile is answered 409, not processed", async () => {
    const { receiver, processed } = harness({ now: Date.now, replay: { leaseSeconds: 1 } });
    const sent = await delivery("msg_slow", Date.now());
    const slow = receiver.receive(webhookRequest(sent.headers, sent.body), async (webhook) => {
      await new Promise((r) => setTimeout(r, 2_200));
      processed.push(webhook.id);
      return new Response(null, { status: 204 });
    });
    await new Promise((r) => setTimeout(r, 1_600)); // past one lease: only the heartbeat keeps it
    const retry = await receiver.receive(webhookRequest(sent.headers, sent.body), async (webhook) => {
      processed.push(webhook.id);
      return new Response(null, { status: 204 });
    });
    expect(retry).toMatchObject({ handled: false, response: { status: 409 } });
    expect(statusOf(await slow)).toBe(204);
    expect(processed).toEqual(["msg_slow"]);
  });

  it("refuses a replay of another tenant's captured delivery inside its window, however many valid messages an attacker sends first", async () => {
    const { receiver, processed, ok, clock } = harness({
      replay: { store: createMemoryReplayStore({ maxEntries: 100, now: () => clock.now }) },
    });
    const victim = await delivery("victim_msg", clock.now);
    await receiver.receive(webhookRequest(victim.headers, victim.body), ok);
    const refusals: number[] = [];
    for (let i = 0; i < 300; i++) {
      const flood = await delivery(`attacker_${i}`, clock.now);
      const outcome = await receiver.receive(webhookRequest(flood.headers, flood.body), ok);
      if (!outcome.handled) refusals.push(outcome.response.status);
    }
    expect(new Set(refusals)).toEqual(new Set([503]));
    expect(refusals.length).toBe(201);
    const replayed = await receiver.receive(webhookRequest(victim.headers, victim.body), ok);
    expect(replayed).toMatchObject({ handled: false, response: { status: 200, body: { duplicate: true } } });
    expect(processed.filter((id) => id === "victim_msg")).toHaveLength(1);
  });

  it("reads every body source within the limit: bytes, a Web stream, an async iterable", async () => {
    const { receiver, ok } = harness({ maxBodyBytes: 64 });
    const sent = await delivery("msg_sources", FIXED_NOW_MS, '{"n":1}');
    const bytes = new TextEncoder().encode(sent.body);
    const sources = [
      bytes,
      new ReadableStream<Uint8Array>({
        start: (c) => (c.enqueue(bytes.subarray(0, 3)), c.enqueue(bytes.subarray(3)), c.close()),
      }),
      (async function* () {
        yield bytes.subarray(0, 2);
        yield bytes.subarray(2);
      })(),
    ];
    const statuses: number[] = [];
    for (const [i, body] of sources.entries()) {
      const own = await delivery(`msg_source_${i}`, FIXED_NOW_MS, sent.body);
      statuses.push(statusOf(await receiver.receive({ method: "POST", url: URL_, headers: own.headers, body }, ok)));
    }
    expect(statuses).toEqual([204, 204, 204]);
  });

  it("refuses a body over the limit with 413, connection: close, and stops reading, also when its content-length lies or is absent", async () => {
    const { receiver, ok, events } = harness({ maxBodyBytes: 1024 });
    const sent = await delivery("msg_big", FIXED_NOW_MS, "x".repeat(10));
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(512));
      },
    });
    const lying = await receiver.receive(
      { method: "POST", url: URL_, headers: { ...sent.headers, "content-length": "10" }, body: endless },
      ok,
    );
    expect(lying).toMatchObject({
      handled: false,
      response: { status: 413, closeConnection: true, body: { error: { code: "body_too_large" } } },
    });
    expect(pulled).toBeLessThanOrEqual(4);
    const declared = await receiver.receive(
      { method: "POST", url: URL_, headers: { ...sent.headers, "content-length": "5000" }, body: endless },
      ok,
    );
    expect(declared).toMatchObject({ handled: false, response: { status: 413 } });
    expect(events.map((e) => e.code)).toEqual(["body_too_large", "body_too_large"]);
  });

  it("throws a body a parser already read as a setup error whose message names the fix, after reporting it", async () => {
    const { receiver, ok, events } = harness();
    const sent = await delivery("msg_parsed", FIXED_NOW_MS);
    const thrown = await receiver
      .receive(
        { method: "POST", url: URL_, headers: sent.headers, body: bodyConsumed("mount webhook() before bodyParser()") },
        ok,
      )
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(WebhookError);
    expect(thrown).toMatchObject({ code: "body_already_consumed", status: 500, isSetupError: true });
    expect((thrown as Error).message).toContain("mount webhook() before bodyParser()");
    expect((thrown as WebhookError).toJSON()).toEqual({
      error: { code: "body_already_consumed", message: "Webhook body already consumed" },
    });
    expect(events).toEqual([expect.objectContaining({ type: "rejected", code: "body_already_consumed" })]);
    const read = webhookRequest(sent.headers, sent.body);
    await read.text();
    await expect(receiver.receive(read, ok)).rejects.toMatchObject({ code: "body_already_consumed" });
  });

  it("names the fix when built without a scheme, or with options only verify() can honour", () => {
    expect(() => createReceiver({} as ReceiverOptions)).toThrow(
      expect.objectContaining({
        code: "invalid_options",
        message: expect.stringContaining("standardWebhooks({ secret"),
      }),
    );
    expect(() => createReceiver({ scheme, replay: { duplicates: "reject" } })).toThrow(
      expect.objectContaining({
        code: "invalid_options",
        message: expect.stringContaining("200 so the sender stops retrying"),
      }),
    );
  });

  it("lets an admitted delivery be finished by the framework (two-phase), exactly once", async () => {
    const { receiver } = harness();
    const sent = await delivery("msg_two_phase", FIXED_NOW_MS);
    const admission = await receiver.admit(webhookRequest(sent.headers, sent.body));
    expect(admission.admitted).toBe(true);
    if (!admission.admitted) return;
    await admission.finish();
    await admission.finish({ status: 500 }); // a second finish changes nothing
    const again = await receiver.admit(webhookRequest(sent.headers, sent.body));
    expect(again).toMatchObject({ admitted: false, response: { status: 200 } });
  });
});
