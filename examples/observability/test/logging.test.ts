import { Writable } from "node:stream";
import { type WebhookEvent, createReceiver, standardWebhooks } from "@hooksec/koa";
import { send, signed } from "@hooksec/testkit";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logWebhookEvent } from "../src/index.js";
import { startExample } from "./support.js";

const EVENT_TYPES = [
  "verified",
  "duplicate",
  "in_progress",
  "rejected",
  "completed",
  "handler_failed",
  "released",
  "lease_lost",
  "evicted",
] as const;

/** A pino logger writing into an array. */
function memoryLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}

describe("one log line per outcome, through the running example", () => {
  const secret = `whsec_${Buffer.from("observability logging secret 32b").toString("base64")}`;
  let example: Awaited<ReturnType<typeof startExample>>;
  beforeAll(async () => {
    example = await startExample({
      receiver: { scheme: standardWebhooks({ secret }) },
      metrics: false,
      handle: (payload) => {
        if ((payload as { fail?: boolean }).fail) throw new Error(`cannot store ${JSON.stringify(payload)}`);
      },
    });
    const ok = signed(secret, { type: "invoice.paid", card: "4242-4242" }, { id: "msg_log_1" });
    await send(`${example.url}/webhooks`, ok);
    await send(`${example.url}/webhooks`, ok);
    await send(`${example.url}/webhooks`, { headers: ok.headers, body: ok.body.replace("paid", "void") });
    await send(`${example.url}/webhooks`, signed(secret, { fail: true, card: "4242-4242" }, { id: "msg_log_2" }));
  });
  afterAll(() => example.close());

  it("what each outcome logs: level, message, the fields to act on", () => {
    const logs = example.logs().map(({ level, msg, event, id, code, status, detail, errorType, clientIp }) => ({
      level,
      msg,
      event,
      id,
      code,
      status,
      detail,
      errorType,
      clientIp,
    }));
    expect(logs).toEqual([
      {
        level: 20,
        msg: "webhook verified",
        event: "verified",
        id: "msg_log_1",
        clientIp: undefined,
        code: undefined,
        status: undefined,
        detail: undefined,
        errorType: undefined,
      },
      {
        level: 30,
        msg: "webhook processed",
        event: "completed",
        id: "msg_log_1",
        clientIp: undefined,
        code: undefined,
        status: undefined,
        detail: undefined,
        errorType: undefined,
      },
      expect.objectContaining({ level: 30, event: "duplicate", id: "msg_log_1" }),
      expect.objectContaining({
        level: 40,
        msg: "webhook rejected",
        event: "rejected",
        code: "invalid_signature",
        status: 401,
        detail: expect.any(String),
      }),
      expect.objectContaining({ level: 20, event: "verified", id: "msg_log_2" }),
      expect.objectContaining({ level: 50, event: "handler_failed", id: "msg_log_2", errorType: "Error" }),
      expect.objectContaining({ level: 30, event: "released", id: "msg_log_2" }),
    ]);
  });

  it("never the body, the secret or the signature, even from a handler error that quotes the body", () => {
    const text = example.lines.join("\n");
    expect(text).not.toContain("4242-4242");
    expect(text).not.toContain(secret.slice(6));
    expect(text).not.toMatch(/v1,[A-Za-z0-9+/=]{20,}/);
  });
});

describe("no secret in a log line, for every event type", () => {
  it("a real receiver's events with random secrets and bodies, and a handler that throws them", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 6, maxLength: 6 }).map((bytes) => Buffer.from(bytes).toString("hex")),
        async (bytes, hex) => {
          const secret = `whsec_${Buffer.from(bytes).toString("base64")}`;
          const marker = `BODY-${hex}`;
          const scheme = standardWebhooks({ secret });
          const { logger, lines } = memoryLogger();
          let clock = Date.UTC(2030, 0, 1);
          const seen = new Set<string>();
          const receiver = createReceiver({
            scheme,
            now: () => clock,
            onEvent: (event: WebhookEvent) => {
              seen.add(event.type);
              logWebhookEvent(logger, event);
            },
          });
          const body = `{"marker":"${marker}"}`;
          const signatures: string[] = [];
          const request = async (id: string, tamper = false, at = clock) => {
            const headers = await scheme.sign({ id, timestamp: new Date(at), body });
            signatures.push((headers["webhook-signature"] ?? "").slice(3));
            return {
              method: "POST",
              url: "https://r.test/h",
              headers,
              body: new TextEncoder().encode(tamper ? `${body}\n` : body),
            };
          };
          const ok = () => new Response(null, { status: 204 });
          await receiver.receive(await request("a"), ok);
          await receiver.receive(await request("a"), ok);
          await receiver.receive(await request("b", true), ok);
          await receiver.receive(await request("c", false, clock - 3_600_000), ok);
          const held = await receiver.admit(await request("d"));
          await receiver.receive(await request("d"), ok);
          await receiver
            .receive(await request("e"), () => {
              throw new Error(`failed on ${body} with ${secret}`, { cause: { secret } });
            })
            .catch(() => undefined);
          clock += 31_000;
          const again = await receiver.admit(await request("d"));
          if (held.admitted) await held.finish();
          if (again.admitted) await again.finish();
          for (const type of EVENT_TYPES.filter((type) => type !== "evicted")) expect(seen).toContain(type);
          const text = lines.join("\n");
          for (const spotted of [secret.slice(6), marker, ...signatures]) expect(text.includes(spotted)).toBe(false);
        },
      ),
      { numRuns: 10 },
    );
  });

  it("any event of any type whose error and extra fields are full of secrets", () => {
    const SECRET = "SECRET-5d2a9b";
    const poisoned = fc.constantFrom<unknown>(
      new Error(`key ${SECRET}`),
      Object.assign(new TypeError(SECRET), { body: SECRET, headers: { authorization: SECRET } }),
      { message: SECRET, stack: SECRET },
      SECRET,
      new Error("wrapped", { cause: new Error(SECRET) }),
    );
    const event = fc.record({
      type: fc.constantFrom(...EVENT_TYPES),
      scheme: fc.constantFrom("standard-webhooks", "github"),
      durationMs: fc.double({ min: 0, max: 100, noNaN: true }),
      id: fc.constantFrom("msg_1", undefined),
      code: fc.constantFrom("invalid_signature", "rate_limited", undefined),
      status: fc.constantFrom(401, 500, undefined),
      error: poisoned,
      // fields an event does not have: a logger must not copy unknown fields either
      body: fc.constant(SECRET),
      signature: fc.constant(`v1,${SECRET}`),
      daysUntilExpiry: fc.integer({ min: -5, max: 90 }),
    });
    fc.assert(
      fc.property(event, (item) => {
        const { logger, lines } = memoryLogger();
        logWebhookEvent(logger, item as unknown as WebhookEvent);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.join("\n").includes(SECRET)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
