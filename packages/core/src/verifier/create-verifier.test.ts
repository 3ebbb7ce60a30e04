import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { WebhookError } from "../errors/webhook-error.js";
import type { ReplayStore } from "../replay/replay-store.js";
import { standardWebhooks } from "../schemes/standard-webhooks/standard-webhooks.js";
import { FIXED_NOW_MS, testSecret, webhookRequest } from "../test-support/fixtures.js";
import { createVerifier } from "./create-verifier.js";
import type { VerifierOptions, WebhookEvent } from "./types.js";
import { codeOf } from "../test-support/outcome.js";

const secret = testSecret();
const scheme = standardWebhooks({ secret });
const at = (ms: number) => () => ms;

async function signed<Body extends Uint8Array | string = string>(
  body: Body = '{"type":"invoice.paid"}' as Body,
  id = "msg_1",
  timestampMs = FIXED_NOW_MS,
) {
  return { headers: await scheme.sign({ id, timestamp: new Date(timestampMs), body }), body };
}

function verifierAt(now: number, options: Partial<VerifierOptions> = {}) {
  return createVerifier({ scheme, now: at(now), ...options });
}

describe("createVerifier", () => {
  describe("the Request entry", () => {
    it("verifies a signed request and exposes id, timestamp, body, text and json", async () => {
      const { headers, body } = await signed();
      const webhook = await verifierAt(FIXED_NOW_MS).verify(webhookRequest(headers, body));
      expect(webhook).toMatchObject({ id: "msg_1", scheme: "standard-webhooks", duplicate: false, timestamped: true });
      expect(webhook.timestamp?.getTime()).toBe(FIXED_NOW_MS);
      expect(webhook.text()).toBe(body);
      expect(webhook.json()).toEqual({ type: "invoice.paid" });
      expect(webhook.keyId).toMatch(/^sha256:/);
    });

    it("verifies a body that is not UTF-8, byte for byte", async () => {
      const body = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]);
      const { headers } = await signed(body);
      const webhook = await verifierAt(FIXED_NOW_MS).verify(webhookRequest(headers, body));
      expect(Array.from(webhook.body)).toEqual(Array.from(body));
      expect(() => webhook.json()).toThrow(expect.objectContaining({ code: "malformed_body" }));
    });

    it("refuses a body over maxBodyBytes by its content-length without reading it", async () => {
      const { headers, body } = await signed("x".repeat(100));
      const request = webhookRequest({ ...headers, "content-length": "100" }, body);
      expect(await codeOf(verifierAt(FIXED_NOW_MS, { maxBodyBytes: 99 }).verify(request))).toBe("body_too_large");
      expect(request.bodyUsed).toBe(false);
    });

    it("stops reading a streamed body as soon as it passes the limit", async () => {
      let pulled = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(1024));
        },
      });
      const { headers } = await signed();
      const request = new Request("https://r.test/", {
        method: "POST",
        headers,
        body: endless,
        duplex: "half",
      } as RequestInit);
      expect(await codeOf(verifierAt(FIXED_NOW_MS, { maxBodyBytes: 10 * 1024 }).verify(request))).toBe(
        "body_too_large",
      );
      expect(pulled).toBeLessThan(20);
    });

    it("refuses a request whose body was already read", async () => {
      const { headers, body } = await signed();
      const request = webhookRequest(headers, body);
      await request.text();
      expect(await codeOf(verifierAt(FIXED_NOW_MS).verify(request))).toBe("body_already_consumed");
    });
  });

  describe("the parts entry", () => {
    it("verifies Node-style header records without building a Request", async () => {
      const { headers, body } = await signed();
      const nodeHeaders = { ...headers, "x-repeated": ["a", "b"] };
      const webhook = await verifierAt(FIXED_NOW_MS).verifyParts({
        method: "POST",
        url: "https://r.test/hooks",
        headers: nodeHeaders,
        body: new TextEncoder().encode(body),
      });
      expect(webhook.id).toBe("msg_1");
    });

    it("finds headers whatever their case in a plain record", async () => {
      const { headers, body } = await signed();
      const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
      const webhook = await verifierAt(FIXED_NOW_MS).verifyParts({
        method: "POST",
        url: "https://r.test/",
        headers: upper,
        body: new TextEncoder().encode(body),
      });
      expect(webhook.id).toBe("msg_1");
    });

    it("enforces maxBodyBytes on bytes in hand", async () => {
      const { headers, body } = await signed("y".repeat(64));
      const parts = { method: "POST", url: "https://r.test/", headers, body: new TextEncoder().encode(body) };
      expect(await codeOf(verifierAt(FIXED_NOW_MS, { maxBodyBytes: 63 }).verifyParts(parts))).toBe("body_too_large");
    });
  });

  describe("freshness", () => {
    const past = 300;
    const future = 60;

    it("accepts exactly at both bounds and refuses one millisecond beyond, whatever the time", async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1_000_000, max: 4_000_000_000 }), async (seconds) => {
          const { headers, body } = await signed("{}", `msg_${seconds}`, seconds * 1000);
          const check = (now: number) =>
            codeOf(
              createVerifier({
                scheme,
                now: at(now),
                replay: false,
                tolerance: { pastSeconds: past, futureSeconds: future },
              }).verify(webhookRequest(headers, body)),
            );
          const signedAt = seconds * 1000;
          expect(await check(signedAt + past * 1000)).toBe("accepted");
          expect(await check(signedAt + past * 1000 + 1)).toBe("timestamp_too_old");
          expect(await check(signedAt - future * 1000)).toBe("accepted");
          expect(await check(signedAt - future * 1000 - 1)).toBe("timestamp_in_future");
        }),
        { numRuns: 50 },
      );
    });

    it("defaults to five minutes into the past and one into the future", async () => {
      const { headers, body } = await signed();
      expect(
        await codeOf(verifierAt(FIXED_NOW_MS + 300_000, { replay: false }).verify(webhookRequest(headers, body))),
      ).toBe("accepted");
      expect(
        await codeOf(verifierAt(FIXED_NOW_MS + 300_001, { replay: false }).verify(webhookRequest(headers, body))),
      ).toBe("timestamp_too_old");
      expect(
        await codeOf(verifierAt(FIXED_NOW_MS - 60_000, { replay: false }).verify(webhookRequest(headers, body))),
      ).toBe("accepted");
      expect(
        await codeOf(verifierAt(FIXED_NOW_MS - 60_001, { replay: false }).verify(webhookRequest(headers, body))),
      ).toBe("timestamp_in_future");
    });

    it("checks the signature before the time, so a forged fresh timestamp is a bad signature", async () => {
      const { headers, body } = await signed("{}", "msg_old", FIXED_NOW_MS - 3_600_000);
      const forged = { ...headers, "webhook-timestamp": String(FIXED_NOW_MS / 1000) };
      expect(await codeOf(verifierAt(FIXED_NOW_MS).verify(webhookRequest(forged, body)))).toBe("invalid_signature");
      expect(await codeOf(verifierAt(FIXED_NOW_MS).verify(webhookRequest(headers, body)))).toBe("timestamp_too_old");
    });
  });

  describe("replay protection", () => {
    it("answers message_in_progress (409, Retry-After: the lease) while the first delivery holds the message, and duplicate once it completed", async () => {
      const verifier = verifierAt(FIXED_NOW_MS);
      const { headers, body } = await signed();
      const first = await verifier.verify(webhookRequest(headers, body));
      expect(first.duplicate).toBe(false);
      const during = await verifier.verify(webhookRequest(headers, body)).catch((e: unknown) => e);
      expect(during).toMatchObject({ code: "message_in_progress", status: 409, retryAfterSeconds: 30 });
      expect(await first.complete()).toBe(true);
      expect((await verifier.verify(webhookRequest(headers, body))).duplicate).toBe(true);
    });

    it("throws duplicate_message (409) when duplicates are rejected", async () => {
      const verifier = verifierAt(FIXED_NOW_MS, { replay: { duplicates: "reject" } });
      const { headers, body } = await signed();
      await (await verifier.verify(webhookRequest(headers, body))).complete();
      const error = await verifier.verify(webhookRequest(headers, body)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "duplicate_message", status: 409 });
    });

    it("lets a released message be processed again when the sender retries", async () => {
      const verifier = verifierAt(FIXED_NOW_MS);
      const { headers, body } = await signed();
      const first = await verifier.verify(webhookRequest(headers, body));
      await first.release(); // the handler failed
      const retry = await verifier.verify(webhookRequest(headers, body));
      expect(retry.duplicate).toBe(false);
      await retry.complete();
      const third = await verifier.verify(webhookRequest(headers, body));
      expect(third.duplicate).toBe(true);
      await third.release(); // a duplicate's release is a no-op and must not forget the completion
      await first.release(); // a settled lease's release is a no-op too
      expect((await verifier.verify(webhookRequest(headers, body))).duplicate).toBe(true);
    });

    it("processes a retry again when the first delivery neither completed nor released (its lease lapsed)", async () => {
      let now = FIXED_NOW_MS;
      const verifier = createVerifier({ scheme, now: () => now, replay: { leaseSeconds: 30 } });
      const { headers, body } = await signed();
      await verifier.verify(webhookRequest(headers, body));
      now += 29_000;
      expect(await codeOf(verifier.verify(webhookRequest(headers, body)))).toBe("message_in_progress");
      now += 1_000;
      expect((await verifier.verify(webhookRequest(headers, body))).duplicate).toBe(false);
    });

    it("never claims anything for a request that fails its signature, and claims with the lease and the replay window", async () => {
      const claim = vi.fn<ReplayStore["claim"]>(() => ({ state: "acquired", token: "t" }));
      const store: ReplayStore = { claim, renew: () => true, complete: () => true, release: () => {} };
      const verifier = verifierAt(FIXED_NOW_MS, { replay: { store } });
      const { headers, body } = await signed();
      await codeOf(verifier.verify(webhookRequest(headers, `${body} `)));
      await codeOf(verifier.verify(webhookRequest({ ...headers, "webhook-signature": "v1,AAAA" }, body)));
      expect(claim).not.toHaveBeenCalled();
      await verifier.verify(webhookRequest(headers, body));
      expect(claim).toHaveBeenCalledOnce();
      const [key, terms] = claim.mock.calls[0] ?? [];
      expect(key).toBe("9:/webhooks:standard-webhooks::msg_1");
      expect(terms).toEqual({ leaseMs: 30_000, windowMs: (300 + 60 + 60) * 1000 });
    });

    it("keeps message ids of different routes (URL paths) apart, unless they share a namespace", async () => {
      const { headers, body } = await signed();
      const verifier = verifierAt(FIXED_NOW_MS);
      await (await verifier.verify(webhookRequest(headers, body, "https://example.com/a"))).complete();
      expect((await verifier.verify(webhookRequest(headers, body, "https://example.com/b?x=1"))).duplicate).toBe(false);
      const shared = verifierAt(FIXED_NOW_MS, { replay: { namespace: "orders" } });
      await (await shared.verify(webhookRequest(headers, body, "https://example.com/a"))).complete();
      expect((await shared.verify(webhookRequest(headers, body, "https://example.com/b"))).duplicate).toBe(true);
    });

    it("fails closed with replay_store_unavailable (503) when the store throws", async () => {
      const store: ReplayStore = {
        claim: () => Promise.reject(new Error("connection refused")),
        renew: () => true,
        complete: () => true,
        release: () => {},
      };
      const { headers, body } = await signed();
      const error = await verifierAt(FIXED_NOW_MS, { replay: { store } })
        .verify(webhookRequest(headers, body))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "replay_store_unavailable", status: 503 });
      expect((error as WebhookError).cause).toBeInstanceOf(Error);
    });

    it("refuses a retention shorter than the replay window, naming the fix, and the old ttlSeconds option", () => {
      expect(() => verifierAt(FIXED_NOW_MS, { replay: { retainSeconds: 60 } })).toThrow(
        expect.objectContaining({ code: "invalid_options", message: expect.stringContaining("at least 420") }),
      );
      expect(() => verifierAt(FIXED_NOW_MS, { replay: { ttlSeconds: 600 } as never })).toThrow(
        expect.objectContaining({ code: "invalid_options", message: expect.stringContaining("retainSeconds") }),
      );
      expect(() => verifierAt(FIXED_NOW_MS, { replay: { leaseSeconds: 0 } })).toThrow(
        expect.objectContaining({ code: "invalid_options" }),
      );
    });

    it("keeps two verifiers with their own default stores apart", async () => {
      const { headers, body } = await signed();
      expect((await verifierAt(FIXED_NOW_MS).verify(webhookRequest(headers, body))).duplicate).toBe(false);
      expect((await verifierAt(FIXED_NOW_MS).verify(webhookRequest(headers, body))).duplicate).toBe(false);
    });
  });

  describe("onEvent", () => {
    it("receives verifications, duplicates and rejections with code, scheme, key id and duration", async () => {
      const events: WebhookEvent[] = [];
      const verifier = verifierAt(FIXED_NOW_MS, { onEvent: (event) => void events.push(event) });
      const { headers, body } = await signed();
      await (await verifier.verify(webhookRequest(headers, body))).complete();
      await verifier.verify(webhookRequest(headers, body));
      await codeOf(verifier.verify(webhookRequest(headers, "tampered")));
      expect(events.map((e) => e.type)).toEqual(["verified", "completed", "duplicate", "rejected"]);
      expect(events[0]).toMatchObject({
        scheme: "standard-webhooks",
        id: "msg_1",
        keyId: expect.stringMatching(/^sha256:/),
      });
      expect(events[3]).toMatchObject({ code: "invalid_signature", status: 401, detail: expect.any(String) });
      for (const event of events) expect(event.durationMs).toBeGreaterThanOrEqual(0);
    });

    it("can never break verification, whether it throws or rejects", async () => {
      const { headers, body } = await signed();
      const throwing = verifierAt(FIXED_NOW_MS, {
        onEvent: () => {
          throw new Error("logger down");
        },
      });
      await expect(throwing.verify(webhookRequest(headers, body))).resolves.toMatchObject({ id: "msg_1" });
      const rejecting = verifierAt(FIXED_NOW_MS, { onEvent: () => Promise.reject(new Error("metrics down")) });
      expect(await codeOf(rejecting.verify(webhookRequest(headers, "tampered")))).toBe("invalid_signature");
    });
  });

  describe("errors", () => {
    it("keeps wire messages generic and the detail out of them", async () => {
      const { headers, body } = await signed();
      const error = (await verifierAt(FIXED_NOW_MS)
        .verify(webhookRequest(headers, "x"))
        .catch((e: unknown) => e)) as WebhookError;
      expect(error.message).toBe("Invalid webhook signature");
      expect(JSON.stringify(error.toJSON())).toBe(
        '{"error":{"code":"invalid_signature","message":"Invalid webhook signature"}}',
      );
      expect(JSON.stringify(error.toJSON())).not.toContain(secret);
      expect(body).toBeTruthy();
    });

    it("refuses invalid options when built", () => {
      expect(() => createVerifier({ scheme, tolerance: { pastSeconds: -1 } })).toThrow(
        expect.objectContaining({ code: "invalid_options" }),
      );
      expect(() => createVerifier({ scheme, maxBodyBytes: Number.NaN })).toThrow(
        expect.objectContaining({ code: "invalid_options" }),
      );
      expect(() => createVerifier({} as VerifierOptions)).toThrow(expect.objectContaining({ code: "invalid_options" }));
    });

    it("turns an unexpected exception inside a scheme into a refusal, never a crash", async () => {
      const broken = { ...scheme, verify: () => Promise.reject(new TypeError("boom")) };
      const { headers, body } = await signed();
      const error = await createVerifier({ scheme: broken, now: at(FIXED_NOW_MS) })
        .verify(webhookRequest(headers, body))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "invalid_signature", status: 401 });
    });
  });
});
