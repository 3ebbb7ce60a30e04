import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWebhookError } from "../errors/webhook-error.js";
import { decodeBase64 } from "../lib/base64.js";
import { decodeUtf8 } from "../lib/utf8.js";
import { standardWebhooks } from "../schemes/standard-webhooks/standard-webhooks.js";
import { incomingWebhook, testSecret } from "../test-support/fixtures.js";
import { createVerifier } from "../verifier/create-verifier.js";
import { checkEndpoint } from "./check-endpoint.js";
import { createSender } from "./create-sender.js";
import type { AttemptEvent, SenderOptions, TransportFactory, TransportRequest } from "./types.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

interface Recorded {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type Reply = number | { status: number; headers?: Record<string, string>; body?: string } | Error;

/** A transport that answers from a script, per URL path, and records every request. */
function scriptedTransport(script: Record<string, Reply[]>): { factory: TransportFactory; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const factory: TransportFactory = () => ({
    name: "scripted",
    async send(request: TransportRequest) {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      requests.push({
        url: request.url.href,
        headers,
        body: typeof request.body === "string" ? request.body : decodeUtf8(request.body),
      });
      const replies = script[request.url.pathname] ?? [];
      const reply = replies.length > 1 ? replies.shift() : replies[0];
      if (reply === undefined) throw new Error(`no reply scripted for ${request.url.pathname}`);
      if (reply instanceof Error) throw reply;
      const { status, headers: replyHeaders = {}, body = "" } = typeof reply === "number" ? { status: reply } : reply;
      return { status, headers: new Headers(replyHeaders), body: new TextEncoder().encode(body) };
    },
    async close() {},
  });
  return { factory, requests };
}

function senderWith(script: Record<string, Reply[]>, options: Partial<SenderOptions> = {}) {
  const { factory, requests } = scriptedTransport(script);
  const attempts: AttemptEvent[] = [];
  const sleeps: number[] = [];
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const sender = createSender({
    scheme: standardWebhooks({ secret: SECRET }),
    transport: factory,
    onAttempt: (event) => {
      attempts.push(event);
    },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    ...options,
  });
  return { sender, requests, attempts, sleeps, advance: (ms: number) => (clock += ms), now: () => clock };
}

const endpoint = { url: "https://hooks.example.com/in" };

describe("createSender", () => {
  it("delivers a signed JSON payload that the verifier accepts", async () => {
    const { sender, requests, now } = senderWith({ "/in": [204] });
    const result = await sender.send(endpoint, { type: "invoice.paid" }, { id: "msg_1" });
    expect(result).toEqual({ status: "delivered", id: "msg_1", attempts: 1, lastStatus: 204 });
    const [request] = requests;
    expect(request?.headers["content-type"]).toBe("application/json");
    const verifier = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), now });
    const webhook = await verifier.verifyParts({
      method: "POST",
      url: endpoint.url,
      headers: request?.headers ?? {},
      body: new TextEncoder().encode(request?.body),
    });
    expect(webhook.id).toBe("msg_1");
    expect(webhook.json()).toEqual({ type: "invoice.paid" });
  });

  it("generates a msg_ id with 128 random bits when none is given", async () => {
    const { sender } = senderWith({ "/in": [200] });
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await sender.send(endpoint, "{}")).id);
    expect(ids.size).toBe(20);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
  });

  it("retries 5xx, 429 and network errors with the same id and a fresh timestamp and signature", async () => {
    const { sender, requests, attempts, sleeps } = senderWith(
      { "/in": [503, 429, new TypeError("socket hang up"), 500, 200] },
      { retry: { baseDelayMs: 2000 } },
    );
    const result = await sender.send(endpoint, "{}", { id: "msg_retry" });
    expect(result).toEqual({ status: "delivered", id: "msg_retry", attempts: 5, lastStatus: 200 });
    expect(new Set(requests.map((r) => r.headers["webhook-id"]))).toEqual(new Set(["msg_retry"]));
    expect(new Set(requests.map((r) => r.headers["webhook-timestamp"])).size).toBe(5);
    expect(new Set(requests.map((r) => r.headers["webhook-signature"])).size).toBe(5);
    // Full jitter with random() = 0.5: half of 2 s, 4 s, 8 s, 16 s.
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.status])).toEqual([
      [1, "retryable", 503],
      [2, "retryable", 429],
      [3, "retryable", undefined],
      [4, "retryable", 500],
      [5, "delivered", 200],
    ]);
    expect(attempts[2]?.error).toBeInstanceOf(TypeError);
  });

  it("retries a 409 that says when to come back (the receiver is still processing the message), not a bare 409", async () => {
    const { sender, sleeps } = senderWith({
      "/in": [{ status: 409, headers: { "retry-after": "3" } }, 200],
      "/conflict": [409, 200],
    });
    expect(await sender.send(endpoint, "{}")).toMatchObject({ status: "delivered", attempts: 2 });
    expect(sleeps).toEqual([3000]);
    expect(await sender.send({ ...endpoint, url: endpoint.url.replace("/in", "/conflict") }, "{}")).toMatchObject({
      status: "failed",
      attempts: 1,
      lastStatus: 409,
    });
  });

  it("checks an endpoint without sending, with the codes send would throw", () => {
    const { sender, requests } = senderWith({});
    expect(sender.check(endpoint).href).toBe(endpoint.url);
    expect(checkEndpoint(endpoint).href).toBe(endpoint.url);
    expect(() => checkEndpoint({ url: "https://127.0.0.1/in" })).toThrow(
      expect.objectContaining({ code: "ssrf_blocked" }),
    );
    expect(checkEndpoint({ url: "http://127.0.0.1/in" }, { allowHttp: true, allowCidrs: ["127.0.0.0/8"] }).port).toBe(
      "",
    );
    expect(() => sender.check({ url: "http://hooks.example.com/in" })).toThrow(
      expect.objectContaining({ code: "invalid_endpoint" }),
    );
    expect(() => sender.check({ url: "https://10.0.0.1/in" })).toThrow(
      expect.objectContaining({ code: "ssrf_blocked" }),
    );
    expect(() => sender.check({ url: "not a url" })).toThrow(expect.objectContaining({ code: "invalid_endpoint" }));
    expect(requests).toHaveLength(0);
  });

  it("signs one delivery with the scheme it is given, and returns the last response's Retry-After and the start of its body", async () => {
    const other = testSecret();
    const { sender, requests } = senderWith(
      { "/in": [{ status: 503, headers: { "retry-after": "9" }, body: `${"busy ".repeat(200)}` }] },
      { retry: { attempts: 1 } },
    );
    const result = await sender.send(
      endpoint,
      { n: 1 },
      { id: "msg_other_key", scheme: standardWebhooks({ secret: other }) },
    );
    expect(result).toMatchObject({ status: "failed", lastStatus: 503, retryAfter: "9" });
    expect(result.responseExcerpt).toBe("busy ".repeat(200).slice(0, 512));
    const sent = requests[0];
    await expect(
      standardWebhooks({ secret: other }).verify(incomingWebhook(sent?.headers ?? {}, sent?.body ?? "")),
    ).resolves.toMatchObject({ id: "msg_other_key" });
  });

  it("honours Retry-After in seconds and as a date, capped by maxRetryAfterMs", async () => {
    const { sender, sleeps, now } = senderWith(
      {
        "/in": [
          { status: 429, headers: { "retry-after": "7" } },
          {
            status: 503,
            headers: { "retry-after": new Date(Date.parse("2026-01-01T00:00:00Z") + 60_000).toUTCString() },
          },
          { status: 503, headers: { "retry-after": "99999" } },
          200,
        ],
      },
      { retry: { maxRetryAfterMs: 120_000 } },
    );
    expect(now()).toBe(Date.parse("2026-01-01T00:00:00Z"));
    await sender.send(endpoint, "{}");
    expect(sleeps).toEqual([7000, 53_000, 120_000]);
  });

  it("gives up after retry.attempts and reports the last status", async () => {
    const { sender, requests } = senderWith({ "/in": [502] }, { retry: { attempts: 3 } });
    expect(await sender.send(endpoint, "{}", { id: "msg_x" })).toEqual({
      status: "failed",
      id: "msg_x",
      attempts: 3,
      lastStatus: 502,
    });
    expect(requests).toHaveLength(3);
  });

  it("reports the last network error when no response came", async () => {
    const failure = new TypeError("connect ECONNREFUSED");
    const { sender } = senderWith({ "/in": [failure] }, { retry: { attempts: 2 } });
    const result = await sender.send(endpoint, "{}", { id: "msg_y" });
    expect(result).toEqual({ status: "failed", id: "msg_y", attempts: 2, error: failure });
  });

  it("reports a TLS certificate that does not verify once, with tls_certificate_invalid, without retrying", async () => {
    // As undici's fetch reports it: a TypeError whose cause carries the OpenSSL code.
    const selfSigned = new TypeError("fetch failed", {
      cause: Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
    });
    const { sender, requests, attempts } = senderWith({ "/in": [selfSigned] });
    const result = await sender.send(endpoint, "{}");
    expect(result).toMatchObject({
      status: "failed",
      attempts: 1,
      error: { code: "tls_certificate_invalid", reason: "DEPTH_ZERO_SELF_SIGNED_CERT" },
    });
    expect((result.error as Error).cause).toBe(selfSigned);
    expect(requests).toHaveLength(1);
    expect(attempts.map((a) => a.outcome)).toEqual(["rejected"]);
    // Any other network error is still retried.
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(await senderWith({ "/in": [reset, 200] }).sender.send(endpoint, "{}")).toMatchObject({
      status: "delivered",
      attempts: 2,
    });
  });

  it("reports 410 as gone without retrying", async () => {
    const { sender, requests } = senderWith({ "/in": [410] });
    expect((await sender.send(endpoint, "{}")).status).toBe("gone");
    expect(requests).toHaveLength(1);
  });

  it("never follows a redirect and reports it as a failure", async () => {
    for (const status of [301, 302, 303, 307, 308, 0]) {
      const { sender, requests, attempts } = senderWith({
        "/in": [{ status, headers: { location: "http://169.254.169.254/" } }],
      });
      const result = await sender.send(endpoint, "{}");
      expect(result.status).toBe("failed");
      expect(result.lastStatus).toBe(status);
      expect(attempts.map((a) => a.outcome)).toEqual(["redirect"]);
      expect(requests.map((r) => r.url)).toEqual([endpoint.url]);
    }
  });

  it("does not retry other 4xx", async () => {
    for (const status of [400, 401, 403, 404, 422]) {
      const { sender, requests } = senderWith({ "/in": [status] });
      expect(await sender.send(endpoint, "{}")).toMatchObject({ status: "failed", lastStatus: status, attempts: 1 });
      expect(requests).toHaveLength(1);
    }
  });

  it("sends each outbound auth mode", async () => {
    const { sender, requests } = senderWith({ "/in": [200] });
    await sender.send({ ...endpoint, auth: { type: "api-key", header: "X-Api-Key", key: "k_123" } }, "{}");
    await sender.send({ ...endpoint, auth: { type: "basic", clientId: "client", clientSecret: "s3cr:et" } }, "{}");
    await sender.send({ ...endpoint, auth: { type: "bearer", token: "tok_abc" } }, "{}");
    expect(requests[0]?.headers["x-api-key"]).toBe("k_123");
    const basic = requests[1]?.headers.authorization ?? "";
    expect(basic.startsWith("Basic ")).toBe(true);
    expect(decodeUtf8(decodeBase64(basic.slice(6)) ?? new Uint8Array())).toBe("client:s3cr:et");
    expect(requests[2]?.headers.authorization).toBe("Bearer tok_abc");
  });

  it("keeps the signature and auth headers over the endpoint's extra headers", async () => {
    const { sender, requests } = senderWith({ "/in": [200] });
    await sender.send(
      { ...endpoint, headers: { "x-extra": "1", "webhook-id": "forged" }, auth: { type: "bearer", token: "t" } },
      "{}",
      { id: "msg_real" },
    );
    expect(requests[0]?.headers["x-extra"]).toBe("1");
    expect(requests[0]?.headers["webhook-id"]).toBe("msg_real");
  });

  it("refuses bad auth options with invalid_options before sending", async () => {
    const { sender, requests } = senderWith({ "/in": [200] });
    const bad = [
      { type: "api-key", header: "bad header", key: "k" },
      { type: "api-key", header: "x-key", key: "" },
      { type: "basic", clientId: "a:b", clientSecret: "s" },
      { type: "bearer", token: "has space" },
      { type: "oauth2", tokenUrl: "https://auth.example.com/token", clientId: "c" },
      { type: "magic" },
    ];
    for (const auth of bad) {
      // @ts-expect-error deliberately malformed options
      await expect(sender.send({ ...endpoint, auth }, "{}")).rejects.toMatchObject({ code: "invalid_options" });
    }
    expect(requests).toHaveLength(0);
  });

  it("refuses endpoints SSRF protection forbids without sending anything", async () => {
    const { sender, requests, attempts } = senderWith({ "/in": [200] });
    for (const url of [
      "http://hooks.example.com/in",
      "https://127.0.0.1/in",
      "https://[::ffff:a9fe:a9fe]/",
      "https://0x0a.1/",
    ]) {
      await expect(sender.send({ url }, "{}")).rejects.toSatisfy(isWebhookError);
    }
    expect(requests).toHaveLength(0);
    expect(attempts).toHaveLength(0);
  });

  it("rethrows a transport's SSRF refusal (a name that resolved inside) without retrying", async () => {
    const { WebhookError } = await import("../errors/webhook-error.js");
    const { sender, attempts } = senderWith({ "/in": [new WebhookError("ssrf_blocked", "10.0.0.1 is private")] });
    await expect(sender.send(endpoint, "{}")).rejects.toMatchObject({ code: "ssrf_blocked" });
    expect(attempts.map((a) => a.outcome)).toEqual(["rejected"]);
  });

  it("refuses an unserialisable payload with invalid_options", async () => {
    const { sender } = senderWith({ "/in": [200] });
    await expect(sender.send(endpoint, { n: 1n })).rejects.toMatchObject({ code: "invalid_options" });
    await expect(sender.send(endpoint, undefined)).rejects.toMatchObject({ code: "invalid_options" });
  });

  it("ignores an onAttempt hook that throws or rejects", async () => {
    for (const onAttempt of [
      () => {
        throw new Error("logging is down");
      },
      async () => {
        throw new Error("logging is down");
      },
    ]) {
      const { sender } = senderWith({ "/in": [500, 200] }, { onAttempt });
      expect((await sender.send(endpoint, "{}")).status).toBe("delivered");
    }
  });

  it("refuses bad options with invalid_options", () => {
    const scheme = standardWebhooks({ secret: SECRET });
    expect(() => createSender({ scheme: {} as never })).toThrow(expect.objectContaining({ code: "invalid_options" }));
    expect(() => createSender({ scheme, retry: { attempts: 0 } })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => createSender({ scheme, timeouts: { totalMs: -1 } })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => createSender({ scheme, ssrf: { allowCidrs: ["x"] } })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });

  it("refuses to send without a scheme, from the sender or the send, with invalid_options", async () => {
    const sender = createSender({ transport: scriptedTransport({ "/in": [200] }).factory });
    await expect(sender.send(endpoint, "{}")).rejects.toMatchObject({ code: "invalid_options" });
    expect(await sender.send(endpoint, "{}", { scheme: standardWebhooks({ secret: SECRET }) })).toMatchObject({
      status: "delivered",
    });
  });

  it("sends bytes and strings exactly as given", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        const seen: (Uint8Array | string)[] = [];
        const sender = createSender({
          scheme: standardWebhooks({ secret: SECRET }),
          transport: () => ({
            name: "capture",
            async send(request) {
              seen.push(request.body);
              return { status: 200, headers: new Headers(), body: new Uint8Array() };
            },
            async close() {},
          }),
        });
        await sender.send(endpoint, bytes);
        expect(seen[0]).toEqual(bytes);
      }),
      { numRuns: 30 },
    );
  });
});

describe("OAuth2 client credentials", () => {
  const auth = {
    type: "oauth2",
    tokenUrl: "https://auth.example.com/token",
    clientId: "client id",
    clientSecret: "s&cret",
    scope: "webhooks:write",
  } as const;
  const token = (value: string, expiresIn = 3600) => ({
    status: 200,
    body: JSON.stringify({ access_token: value, token_type: "Bearer", expires_in: expiresIn }),
  });

  it("fetches one token for many deliveries, including concurrent ones, and again after expiry", async () => {
    const { sender, requests, advance } = senderWith({
      "/token": [token("t1", 3600), token("t2", 3600)],
      "/in": [200],
    });
    await Promise.all(Array.from({ length: 10 }, () => sender.send({ ...endpoint, auth }, "{}")));
    for (let i = 0; i < 5; i++) await sender.send({ ...endpoint, auth }, "{}");
    const tokenCalls = () => requests.filter((r) => r.url === auth.tokenUrl);
    expect(tokenCalls()).toHaveLength(1);
    const call = tokenCalls()[0];
    expect(call?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(new URLSearchParams(call?.body)).toEqual(
      new URLSearchParams({ grant_type: "client_credentials", scope: "webhooks:write" }),
    );
    // RFC 6749 §2.3.1: id and secret form-encoded, then Basic.
    expect(decodeUtf8(decodeBase64(call?.headers.authorization?.slice(6) ?? "") ?? new Uint8Array())).toBe(
      "client+id:s%26cret",
    );
    expect(requests.filter((r) => r.url === endpoint.url).every((r) => r.headers.authorization === "Bearer t1")).toBe(
      true,
    );

    advance(3600_000 - 29_000); // inside the refresh margin before expiry
    await sender.send({ ...endpoint, auth }, "{}");
    expect(tokenCalls()).toHaveLength(2);
    expect(requests.at(-1)?.headers.authorization).toBe("Bearer t2");
  });

  it("sends client credentials in the form with clientAuthentication: post", async () => {
    const { sender, requests } = senderWith({ "/token": [token("t1")], "/in": [200] });
    await sender.send({ ...endpoint, auth: { ...auth, clientAuthentication: "post" } }, "{}");
    const body = new URLSearchParams(requests[0]?.body);
    expect(body.get("client_id")).toBe("client id");
    expect(body.get("client_secret")).toBe("s&cret");
    expect(requests[0]?.headers.authorization).toBeUndefined();
  });

  it("retries once after a 401 with a fresh token, and not twice", async () => {
    const { sender, requests, attempts } = senderWith({
      "/token": [token("old"), token("new"), token("newer")],
      "/in": [401, 200],
    });
    const result = await sender.send({ ...endpoint, auth }, "{}");
    expect(result).toMatchObject({ status: "delivered", attempts: 2 });
    expect(requests.filter((r) => r.url === endpoint.url).map((r) => r.headers.authorization)).toEqual([
      "Bearer old",
      "Bearer new",
    ]);
    expect(attempts.map((a) => [a.outcome, a.retryInMs])).toEqual([
      ["unauthorized", 0],
      ["delivered", undefined],
    ]);

    const again = senderWith({ "/token": [token("a"), token("b"), token("c")], "/in": [401] });
    expect(await again.sender.send({ ...endpoint, auth }, "{}")).toMatchObject({
      status: "failed",
      attempts: 2,
      lastStatus: 401,
    });
    expect(again.requests.filter((r) => r.url === auth.tokenUrl)).toHaveLength(2);
  });

  it("treats a failing token endpoint as a retryable error", async () => {
    const { sender, attempts } = senderWith({
      "/token": [
        503,
        { status: 200, body: "not json" },
        { status: 200, body: '{"token_type":"mac","access_token":"x"}' },
        token("ok"),
      ],
      "/in": [200],
    });
    const result = await sender.send({ ...endpoint, auth }, "{}");
    expect(result).toMatchObject({ status: "delivered", attempts: 4 });
    expect(attempts.slice(0, 3).map((a) => (a.error as { name?: string }).name)).toEqual([
      "TokenRequestError",
      "TokenRequestError",
      "TokenRequestError",
    ]);
  });

  it("does not retry a token endpoint that refuses the client credentials (400, 401, 403)", async () => {
    for (const status of [400, 401, 403]) {
      const { sender, requests } = senderWith({
        "/token": [{ status, body: '{"error":"invalid_client"}' }],
        "/in": [200],
      });
      const result = await sender.send({ ...endpoint, auth }, "{}");
      expect(result).toMatchObject({ status: "failed", attempts: 1, error: { name: "TokenRequestError", status } });
      expect(requests.map((r) => r.url)).toEqual([auth.tokenUrl]);
    }
  });

  it("refuses a token URL that SSRF protection forbids", async () => {
    const { sender, requests } = senderWith({ "/token": [token("t")], "/in": [200] });
    await expect(
      sender.send({ ...endpoint, auth: { ...auth, tokenUrl: "https://169.254.169.254/token" } }, "{}"),
    ).rejects.toMatchObject({
      code: "ssrf_blocked",
    });
    expect(requests).toHaveLength(0);
  });
});
