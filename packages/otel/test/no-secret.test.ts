// No secret, key, signature or body in what the receive lifecycle reports, nor in
// anything @hooksec/otel records from it, for every event type. The secrets are easy to
// spot: a fresh random secret, a body holding a random marker, and the signature made
// with them; a careless handler even throws an error that quotes all three.
import { type WebhookEvent, createReceiver, standardWebhooks } from "@hooksec/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWebhookTelemetry } from "../src/index.js";
import { createTestSdk } from "./support/sdk.js";

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

/** Everything an object holds, errors included (message, stack, cause, own fields), as text. */
function deepText(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "object") return String(value);
  if (seen.has(value)) return "";
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.message, value.stack ?? "", deepText(value.cause, seen));
  if (value instanceof Uint8Array) parts.push(new TextDecoder().decode(value));
  for (const key of Object.getOwnPropertyNames(value))
    parts.push(key, deepText((value as Record<string, unknown>)[key], seen));
  return parts.join("\n");
}

async function recorded(sdk: ReturnType<typeof createTestSdk>): Promise<string> {
  const names = await sdk.names();
  const metrics = await Promise.all(names.map(async (name) => JSON.stringify([name, await sdk.points(name)])));
  const spans = sdk
    .finishedSpans()
    .map((span) => JSON.stringify([span.name, span.attributes, span.events, span.status, span.links]));
  return [...metrics, ...spans].join("\n");
}

/** Drives a real receiver through every outcome it can report with these secrets. */
async function everyOutcome(secretBytes: Uint8Array, marker: string, onEvent: (event: WebhookEvent) => void) {
  const secret = `whsec_${Buffer.from(secretBytes).toString("base64")}`;
  const scheme = standardWebhooks({ secret });
  let clock = Date.UTC(2030, 0, 1);
  const receiver = createReceiver({ scheme, now: () => clock, onEvent });
  const body = `{"card":"${marker}","note":"${secret}"}`;
  const signatures: string[] = [];
  const request = async (id: string, options: { tamper?: boolean; at?: number } = {}) => {
    const headers = await scheme.sign({ id, timestamp: new Date(options.at ?? clock), body });
    signatures.push(headers["webhook-signature"]?.split(",")[1] ?? "");
    return {
      method: "POST",
      url: "https://r.test/hooks",
      headers,
      body: new TextEncoder().encode(options.tamper ? `${body} ` : body),
    };
  };
  const ok = () => new Response(null, { status: 204 });
  await receiver.receive(await request("msg_a"), ok); // verified, completed
  await receiver.receive(await request("msg_a"), ok); // duplicate
  await receiver.receive(await request("msg_b", { tamper: true }), ok); // rejected: invalid_signature
  await receiver.receive(await request("msg_c", { at: clock - 3_600_000 }), ok); // rejected: timestamp_too_old
  const held = await receiver.admit(await request("msg_d"));
  await receiver.receive(await request("msg_d"), ok); // in_progress
  // The handler quotes the body and the secret in what it throws: handler_failed, released.
  await receiver
    .receive(await request("msg_e"), () => {
      throw new Error(`could not process ${body} signed with ${secret}`, { cause: { body, secret } });
    })
    .catch(() => undefined);
  // msg_d's lease lapses, another delivery claims it, then the first finishes: lease_lost.
  clock += 31_000;
  const second = await receiver.admit(await request("msg_d"));
  if (held.admitted) await held.finish();
  if (second.admitted) await second.finish();
  return { secret: secret.slice("whsec_".length), signatures };
}

describe("no secret in events or telemetry", () => {
  it("a real receiver's events of every type, and what @hooksec/otel records from them", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }).map((bytes) => Buffer.from(bytes).toString("hex")),
        async (secretBytes, hex) => {
          const marker = `BODY-${hex}`;
          const sdk = createTestSdk();
          const telemetry = createWebhookTelemetry({
            meterProvider: sdk.meterProvider,
            tracerProvider: sdk.tracerProvider,
            attributes: { tenant: true, keyId: true },
          });
          const events: WebhookEvent[] = [];
          const { secret, signatures } = await everyOutcome(secretBytes, marker, (event) => {
            events.push(event);
            telemetry.onEvent(event);
          });
          const types = new Set(events.map((event) => event.type));
          for (const type of EVENT_TYPES.filter((type) => type !== "evicted")) expect(types, type).toContain(type);
          const spotted = [secret, marker, ...signatures];
          // The events, except the handler's own error (whatever it threw is the user's).
          for (const event of events) {
            const text = deepText(event.type === "handler_failed" ? { ...event, error: undefined } : event);
            for (const value of spotted) expect(text.includes(value), `${event.type} holds a secret`).toBe(false);
          }
          // Everything recorded, including from the handler's error.
          const output = await recorded(sdk);
          expect(output.length).toBeGreaterThan(0);
          for (const value of spotted) expect(output.includes(value)).toBe(false);
          await sdk.shutdown();
        },
      ),
      { numRuns: 15 },
    );
  });

  it("any event of any type whose fields and error are full of secrets: only bounded values are recorded", async () => {
    const SECRET = "SECRET-8c1f0e";
    const poisoned = fc.oneof(
      fc.constant(new Error(`key ${SECRET}`)),
      fc.constant(Object.assign(new TypeError(`bad ${SECRET}`), { code: `${SECRET} code`, body: SECRET })),
      fc.constant({ name: `${SECRET} name`, message: SECRET }),
      fc.constant(`${SECRET} as a string`),
      fc.constant(new Error("wrapped", { cause: new Error(SECRET) })),
    );
    const event = fc.record(
      {
        type: fc.constantFrom(...EVENT_TYPES),
        scheme: fc.constantFrom("standard-webhooks", "github", "stripe"),
        durationMs: fc.double({ min: 0, max: 5000, noNaN: true }),
        id: fc.option(fc.constantFrom("msg_1", "msg_2"), { nil: undefined }),
        code: fc.option(
          fc.constantFrom("invalid_signature", "rate_limited", "replay_store_unavailable", "message_in_progress"),
          { nil: undefined },
        ),
        status: fc.option(fc.constantFrom(401, 429, 500, 503), { nil: undefined }),
        // What the core puts in `detail` is for logs: telemetry never records it.
        detail: fc.constant(`detail with ${SECRET}`),
        error: poisoned,
        tenant: fc.option(fc.constant("acme"), { nil: undefined }),
        daysUntilExpiry: fc.option(fc.integer({ min: -10, max: 400 }), { nil: undefined }),
      },
      { requiredKeys: ["type", "scheme", "durationMs", "detail", "error"] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 20 }), async (batch) => {
        const sdk = createTestSdk();
        const telemetry = createWebhookTelemetry({
          meterProvider: sdk.meterProvider,
          tracerProvider: sdk.tracerProvider,
          attributes: { tenant: true, keyId: true },
        });
        for (const item of batch) telemetry.onEvent(item as WebhookEvent);
        // and the sender's attempts, whose error is whatever the network stack threw
        telemetry.onAttempt({
          id: "msg_1",
          url: `https://user:${SECRET}@example.com/hook?token=${SECRET}`,
          attempt: 1,
          outcome: "retryable",
          error: new Error(SECRET),
          durationMs: 3,
        });
        expect((await recorded(sdk)).includes(SECRET)).toBe(false);
        await sdk.shutdown();
      }),
      { numRuns: 100 },
    );
  });
});
