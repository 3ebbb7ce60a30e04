import fc from "fast-check";
import {
  type AdapterReceiverOptions,
  type ContractReceiver,
  type ContractRequest,
  codeOf,
  deliveries,
  describeAdapterContract,
} from "@hooksec/testkit/adapter-suite";
import { describe, expect, it } from "vitest";
import {
  type WebhookEvent,
  WebhookError,
  type WebhookScheme,
  createReceiver,
  errorResponse,
  standardWebhooks,
  withWebhook,
} from "./index.js";

const secret = "whsec_bmV4dCBhZGFwdGVyIHRlc3Qgc2VjcmV0LCAzMiBieXRlcyE=";
const scheme = standardWebhooks({ secret });
const delivery = deliveries(secret);

type RouteHandler = (request: Request) => Promise<Response>;

/**
 * Calls a route handler the way Next.js does: a `Request` for
 * `http://localhost` + path, and a thrown error logged and answered 500.
 */
function nextLike(route: RouteHandler, options: { readBodyFirst?: boolean } = {}) {
  const logs: string[] = [];
  async function send(path: string, { headers, body, declaredLength }: ContractRequest): Promise<Response> {
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    // A real request says how long its body is; a stream's may lie (declaredLength).
    const length = declaredLength ?? (bytes instanceof Uint8Array ? String(bytes.byteLength) : undefined);
    const request = new Request(`http://localhost${path}`, {
      method: "POST",
      headers: length === undefined ? headers : { ...headers, "content-length": length },
      body: bytes instanceof Uint8Array ? new Uint8Array(bytes) : bytes,
      duplex: "half",
    } as RequestInit);
    if (options.readBodyFirst) await request.text();
    try {
      return await route(request);
    } catch (error) {
      logs.push(error instanceof Error ? error.message : String(error));
      return new Response(null, { status: 500 });
    }
  }
  return { send, logs };
}

/** The contract's receiver: a route handler whose handler records what it processed. */
async function contractReceiver(options: AdapterReceiverOptions): Promise<ContractReceiver> {
  const processed: { id: string }[] = [];
  const POST = withWebhook(
    () => ({
      scheme: (options.scheme as WebhookScheme | undefined) ?? scheme,
      maxBodyBytes: options.maxBodyBytes,
      onEvent: options.events === undefined ? undefined : (event) => options.events?.push(event),
    }),
    async (webhook) => {
      if (options.slowMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
      if (options.fail?.()) throw new Error("handler failed");
      processed.push({ id: webhook.id });
      return new Response(null, { status: 204 });
    },
  );
  return { ...nextLike(POST, { readBodyFirst: options.parserFirst }), processed };
}

function request(sent: { headers: Record<string, string>; body: Uint8Array | string }): Request {
  const body = typeof sent.body === "string" ? sent.body : new Uint8Array(sent.body);
  return new Request("https://app.test/api/webhooks", { method: "POST", headers: sent.headers, body });
}

/** The route handler suite, run once per runtime. */
export function defineWithWebhookSuite(runtime: string): void {
  describe(`withWebhook() in the ${runtime} runtime`, () => {
    describeAdapterContract({ secret, receiver: contractReceiver, WebhookError, seesConnection: false });

    it("runs the handler with the verified webhook and the request, and returns its response", async () => {
      const POST = withWebhook({ scheme }, (webhook, incoming) =>
        Response.json({ received: webhook.json(), url: incoming.url }),
      );
      const response = await POST(request(delivery('{"type":"ping"}')));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: { type: "ping" }, url: "https://app.test/api/webhooks" });
    });

    it("releases the message when the handler answers 5xx, and completes it on 4xx", async () => {
      let calls = 0;
      const POST = withWebhook({ scheme }, () => new Response(null, { status: ++calls === 1 ? 503 : 422 }));
      const sent = delivery("{}");
      expect((await POST(request(sent))).status).toBe(503);
      expect((await POST(request(sent))).status).toBe(422);
      expect((await POST(request(sent))).status).toBe(200);
      expect(calls).toBe(2);
    });

    it("answers a WebhookError from the handler (webhook.json() on a non-JSON body) with its code, and releases the message", async () => {
      const events: WebhookEvent[] = [];
      const POST = withWebhook({ scheme, onEvent: (event) => events.push(event) }, (webhook) =>
        Response.json(webhook.json()),
      );
      const response = await POST(request(delivery("not json")));
      expect(response.status).toBe(400);
      expect(await codeOf(response)).toBe("malformed_body");
      expect(events.map((e) => e.type)).toEqual(["verified", "handler_failed", "released"]);
    });

    it("asks the server to close the connection after a 413", async () => {
      const POST = withWebhook({ scheme, maxBodyBytes: 100 }, () => new Response(null, { status: 204 }));
      const response = await POST(request(delivery("x".repeat(1000))));
      expect(response.status).toBe(413);
      expect(response.headers.get("connection")).toBe("close");
    });

    it("throws a missing secret at request time with the fix, so Next.js logs it (the lazy options)", async () => {
      const POST = withWebhook(
        () => ({ scheme: standardWebhooks({ secret: process.env.HOOKSEC_UNSET_SECRET as string }) }),
        () => new Response(null),
      );
      const { send, logs } = nextLike(POST);
      expect((await send("/api/webhooks", delivery("{}"))).status).toBe(500);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/secret/i);
    });

    it("throws options without a scheme when the route is built, naming the fix", () => {
      expect(() => withWebhook({} as never, () => new Response(null))).toThrow(
        expect.objectContaining({
          code: "invalid_options",
          message: expect.stringContaining("standardWebhooks({ secret"),
        }),
      );
    });

    it("makes options that need the connection compile errors, and refuses them at run time with invalid_options", async () => {
      const handler = () => new Response(null, { status: 204 });
      const refusals = [
        // @ts-expect-error Next.js shows a route handler no peer address
        () => withWebhook({ scheme, allowlist: ["127.0.0.1"] }, handler),
        // @ts-expect-error nor proxy headers it could trust
        () => withWebhook({ scheme, trustedProxies: ["10.0.0.1"] }, handler),
        // @ts-expect-error nor a client certificate
        () => withWebhook({ scheme, identity: { tenants: [] } }, handler),
        // @ts-expect-error per client IP (or per tenant, which needs identity)
        () => withWebhook({ scheme, rateLimit: { points: 10, durationSeconds: 1 } }, handler),
      ];
      for (const [index, refusal] of refusals.entries()) {
        const name = ["allowlist", "trustedProxies", "identity", "rateLimit"][index] as string;
        expect(refusal).toThrow(
          expect.objectContaining({
            code: "invalid_options",
            message: expect.stringContaining(`cannot honour ${name}: Next.js`),
          }),
        );
      }
      // The lazy options are refused at the first request, thrown for Next.js to log.
      // @ts-expect-error the same in the options function
      const lazy = withWebhook(() => ({ scheme, allowlist: ["127.0.0.1"] }), handler);
      await expect(lazy(request(delivery("{}")))).rejects.toMatchObject({ code: "invalid_options" });
    });

    it("names the fix when the route read the body before withWebhook()", async () => {
      const { send, logs } = nextLike(
        withWebhook({ scheme }, () => new Response(null, { status: 204 })),
        { readBodyFirst: true },
      );
      expect((await send("/api/webhooks", delivery("{}"))).status).toBe(500);
      expect(logs).toEqual([
        expect.stringMatching(/^Webhook body already consumed: the route read the request body .*webhook\.json\(\)/),
      ]);
    });

    it("shares a receiver built once between routes: one replay state", async () => {
      const receiver = createReceiver({ scheme });
      const first = withWebhook(receiver, () => new Response(null, { status: 204 }));
      const second = withWebhook(
        () => receiver,
        () => new Response(null, { status: 204 }),
      );
      const sent = delivery("{}");
      expect((await first(request(sent))).status).toBe(204);
      expect((await second(request(sent))).status).toBe(200);
    });

    it("errorResponse(): the refusal's status, JSON body and Retry-After, for routes that verify themselves", async () => {
      const response = errorResponse(new WebhookError("rate_limited", "slow down", { retryAfterSeconds: 6.2 }));
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("7");
      expect(await response.json()).toEqual({ error: { code: "rate_limited", message: expect.any(String) } });
    });

    it("accepts any bytes unchanged and refuses any single-byte change (property)", async () => {
      let received: Uint8Array | undefined;
      const POST = withWebhook({ scheme, replay: false }, (webhook) => {
        received = webhook.body;
        return new Response(null, { status: 204 });
      });
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 1, maxLength: 1024 }),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          async (bytes, at, flip) => {
            const sent = delivery(bytes);
            expect((await POST(request(sent))).status).toBe(204);
            expect(Array.from(received ?? [])).toEqual(Array.from(bytes));
            const tampered = bytes.slice();
            const index = at % tampered.length;
            tampered[index] = (tampered[index] ?? 0) ^ flip;
            expect((await POST(request({ ...sent, body: tampered }))).status).toBe(401);
          },
        ),
        { numRuns: 50 },
      );
    });
  });
}
