import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Verifier, type WebhookEvent, WebhookError, createVerifier, standardWebhooks, withWebhook } from "./index.js";

const secret = "whsec_bmV4dCBhZGFwdGVyIHRlc3Qgc2VjcmV0LCAzMiBieXRlcyE=";
const scheme = standardWebhooks({ secret });
let counter = 0;

async function delivery(body: Uint8Array | string, options: { timestamp?: Date } = {}) {
  const id = `msg_${++counter}`;
  const headers = await scheme.sign({ id, timestamp: options.timestamp ?? new Date(), body });
  return { id, headers, body };
}

function request(sent: { headers: Record<string, string>; body: Uint8Array | string }): Request {
  const body = typeof sent.body === "string" ? sent.body : new Uint8Array(sent.body);
  return new Request("https://app.test/api/webhooks", { method: "POST", headers: sent.headers, body });
}

async function codeOf(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { error?: { code?: string } }).error?.code;
}

function route(options: { fail?: () => boolean; events?: WebhookEvent[]; maxBodyBytes?: number } = {}) {
  const processed: string[] = [];
  const POST = withWebhook(
    () => ({ scheme, maxBodyBytes: options.maxBodyBytes, onEvent: (event) => void options.events?.push(event) }),
    (webhook) => {
      if (options.fail?.()) throw new Error("handler failed");
      processed.push(webhook.id);
      return Response.json({ received: webhook.json() });
    },
  );
  return { POST, processed };
}

/** The route handler suite, run once per runtime. */
export function defineWithWebhookSuite(runtime: string): void {
  describe(`withWebhook() in the ${runtime} runtime`, () => {
    it("runs the handler with the verified webhook and returns its response", async () => {
      const { POST, processed } = route();
      const sent = await delivery('{"type":"ping"}');
      const response = await POST(request(sent));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: { type: "ping" } });
      expect(processed).toEqual([sent.id]);
    });

    it("refuses a tampered body with 401 invalid_signature", async () => {
      const { POST, processed } = route();
      const sent = await delivery('{"amount":1}');
      const response = await POST(request({ ...sent, body: '{"amount":9}' }));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: "invalid_signature", message: "Invalid webhook signature" } });
      expect(processed).toHaveLength(0);
    });

    it("refuses a stale delivery with timestamp_too_old", async () => {
      const { POST } = route();
      const response = await POST(request(await delivery("{}", { timestamp: new Date(Date.now() - 3_600_000) })));
      expect(response.status).toBe(401);
      expect(await codeOf(response)).toBe("timestamp_too_old");
    });

    it("acknowledges a duplicate with 200 without running the handler", async () => {
      const { POST, processed } = route();
      const sent = await delivery("{}");
      await POST(request(sent));
      const again = await POST(request(sent));
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ duplicate: true, id: sent.id });
      expect(processed).toEqual([sent.id]);
    });

    it("releases the claim when the handler throws, so the retry is processed once", async () => {
      let failures = 1;
      const { POST, processed } = route({ fail: () => failures-- > 0 });
      const sent = await delivery("{}");
      await expect(POST(request(sent))).rejects.toThrow("handler failed");
      expect((await POST(request(sent))).status).toBe(200);
      expect(await (await POST(request(sent))).json()).toEqual({ duplicate: true, id: sent.id });
      expect(processed).toEqual([sent.id]);
    });

    it("releases the claim when the handler answers 5xx", async () => {
      let calls = 0;
      const POST = withWebhook({ scheme }, () => new Response(null, { status: ++calls === 1 ? 503 : 204 }));
      const sent = await delivery("{}");
      expect((await POST(request(sent))).status).toBe(503);
      expect((await POST(request(sent))).status).toBe(204);
    });

    it("answers a WebhookError from the handler (webhook.json() on a non-JSON body) with its code", async () => {
      const { POST } = route();
      const response = await POST(request(await delivery("not json")));
      expect(response.status).toBe(400);
      expect(await codeOf(response)).toBe("malformed_body");
    });

    it("refuses an oversize body with 413 body_too_large", async () => {
      const events: WebhookEvent[] = [];
      const { POST } = route({ maxBodyBytes: 100, events });
      const response = await POST(request(await delivery("x".repeat(1000))));
      expect(response.status).toBe(413);
      expect(await codeOf(response)).toBe("body_too_large");
      expect(events.map((e) => e.code)).toEqual(["body_too_large"]);
    });

    it("refuses a body that was already read with body_already_consumed", async () => {
      const { POST } = route();
      const consumed = request(await delivery("{}"));
      await consumed.text();
      const response = await POST(consumed);
      expect(response.status).toBe(500);
      expect(await codeOf(response)).toBe("body_already_consumed");
    });

    it("answers invalid_options (500) when the options factory fails, without crashing", async () => {
      const POST = withWebhook(
        () => ({ scheme: undefined as unknown as typeof scheme }),
        () => new Response(null),
      );
      const response = await POST(request(await delivery("{}")));
      expect(response.status).toBe(500);
      expect(await codeOf(response)).toBe("invalid_options");
    });

    it("does not guess the peer address: an allowlist answers invalid_options", async () => {
      const POST = withWebhook({ scheme, allowlist: ["127.0.0.1"] }, () => new Response(null, { status: 204 }));
      const response = await POST(request(await delivery("{}")));
      expect(response.status).toBe(500);
      expect(await codeOf(response)).toBe("invalid_options");
    });

    it("sends Retry-After with a 429", async () => {
      const limited: Verifier = {
        maxBodyBytes: 10,
        verify: () => Promise.reject(new WebhookError("rate_limited", "slow down", { retryAfterSeconds: 7 })),
        verifyParts: () => Promise.reject(new Error("not used")),
        reportRefusal: () => {},
      };
      const response = await withWebhook(limited, () => new Response(null))(request(await delivery("{}")));
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("7");
    });

    it("reports verified, duplicate and rejected deliveries to onEvent", async () => {
      const events: WebhookEvent[] = [];
      const { POST } = route({ events });
      const sent = await delivery("{}");
      await POST(request(sent));
      await POST(request(sent));
      await POST(request({ ...sent, body: "{ }" }));
      expect(events.map((e) => [e.type, e.code])).toEqual([
        ["verified", undefined],
        ["duplicate", undefined],
        ["rejected", "invalid_signature"],
      ]);
    });

    it("accepts any bytes unchanged and refuses any single-byte change (property)", async () => {
      const verifier = createVerifier({ scheme, replay: false });
      let received: Uint8Array | undefined;
      const POST = withWebhook(verifier, (webhook) => {
        received = webhook.body;
        return new Response(null, { status: 204 });
      });
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 1024 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (bytes, at, flip) => {
          const sent = await delivery(bytes);
          expect((await POST(request(sent))).status).toBe(204);
          expect(Array.from(received ?? [])).toEqual(Array.from(bytes));
          const tampered = bytes.slice();
          const index = at % tampered.length;
          tampered[index] = (tampered[index] ?? 0) ^ flip;
          expect((await POST(request({ ...sent, body: tampered }))).status).toBe(401);
        }),
        { numRuns: 50 },
      );
    });
  });
}
