import { describe, expect, it } from "vitest";
import { standardWebhooks } from "../../schemes/standard-webhooks/standard-webhooks.js";
import { createSender } from "../create-sender.js";
import { createAddressGuard } from "../ssrf/address-guard.js";
import { createFetchTransport, type FetchTransportOptions } from "./fetch.js";
import { MAX_RESPONSE_BYTES } from "./read-limited.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** A `fetch` that records calls and answers from a function: no network at all. */
function stubFetch(answer: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchStub = (async (input: URL | RequestInfo, init?: RequestInit) => {
    const url = input instanceof URL ? input.href : String(input);
    calls.push({ url, init: init ?? {} });
    return answer(url, init ?? {});
  }) as typeof fetch;
  return { calls, fetchStub };
}

function transport(options: FetchTransportOptions, allowCidrs: string[] = []) {
  return createFetchTransport(options)({ guard: createAddressGuard({ allowCidrs }), connectTimeoutMs: 1000 });
}

const request = (url: string) => ({
  url: new URL(url),
  method: "POST" as const,
  headers: new Headers({ "content-type": "application/json" }),
  body: "{}",
  signal: AbortSignal.timeout(5000),
  tls: undefined,
});

describe("createFetchTransport", () => {
  it("sends with redirect: manual and reads a bounded body", async () => {
    const { calls, fetchStub } = stubFetch(() => new Response("x".repeat(MAX_RESPONSE_BYTES + 10), { status: 202 }));
    const response = await transport({ fetch: fetchStub }).send(request("https://hooks.example.com/in"));
    expect(response.status).toBe(202);
    expect(response.body.length).toBe(MAX_RESPONSE_BYTES);
    expect(calls[0]?.init.redirect).toBe("manual");
    expect(calls[0]?.init.method).toBe("POST");
  });

  it("reports an opaque redirect as status 0", async () => {
    const opaque = { type: "opaqueredirect", status: 0, headers: new Headers(), body: null } as unknown as Response;
    const { fetchStub } = stubFetch(() => opaque);
    expect((await transport({ fetch: fetchStub }).send(request("https://hooks.example.com/in"))).status).toBe(0);
  });

  it.each([
    "https://localhost/",
    "https://api.localhost/",
    "https://printer.local/",
    "https://db.internal/",
    "https://router.home.arpa/",
    "https://intranet/",
  ])("refuses the special-use name %s without calling fetch", async (url) => {
    const { calls, fetchStub } = stubFetch(() => new Response(null));
    await expect(transport({ fetch: fetchStub }).send(request(url))).rejects.toMatchObject({ code: "ssrf_blocked" });
    expect(calls).toEqual([]);
  });

  it("checks IP literals itself, so a custom sender path cannot skip them", async () => {
    const { calls, fetchStub } = stubFetch(() => new Response(null));
    await expect(transport({ fetch: fetchStub }).send(request("https://10.0.0.1/"))).rejects.toMatchObject({
      code: "ssrf_blocked",
    });
    await expect(transport({ fetch: fetchStub }).send(request("https://[fd00:ec2::254]/"))).rejects.toMatchObject({
      code: "ssrf_blocked",
    });
    expect(calls).toEqual([]);
    await transport({ fetch: fetchStub }, ["127.0.0.0/8"]).send(request("https://127.0.0.1/"));
    expect(calls.map((c) => c.url)).toEqual(["https://127.0.0.1/"]);
  });

  it("checks every resolved address when given a resolver", async () => {
    const { calls, fetchStub } = stubFetch(() => new Response(null));
    const answers: Record<string, string[]> = {
      "ok.example": ["93.184.215.14"],
      "bad.example": ["93.184.215.14", "169.254.169.254"],
      "none.example": [],
    };
    const t = transport({ fetch: fetchStub, resolve: async (host) => answers[host] ?? [] });
    await t.send(request("https://ok.example/"));
    await expect(t.send(request("https://bad.example/"))).rejects.toMatchObject({ code: "ssrf_blocked" });
    await expect(t.send(request("https://none.example/"))).rejects.toThrow(/no addresses/);
    expect(calls.map((c) => c.url)).toEqual(["https://ok.example/"]);
  });

  it("refuses client certificates: fetch cannot present one", async () => {
    const { calls, fetchStub } = stubFetch(() => new Response(null));
    const sender = createSender({
      scheme: standardWebhooks({ secret: SECRET }),
      transport: createFetchTransport({ fetch: fetchStub }),
    });
    await expect(
      sender.send(
        { url: "https://hooks.example.com/in", tls: { cert: "-----BEGIN CERTIFICATE-----", key: "k" } },
        "{}",
      ),
    ).rejects.toMatchObject({ code: "invalid_options" });
    expect(calls).toEqual([]);
  });

  it("delivers through createSender with the signature headers", async () => {
    const { calls, fetchStub } = stubFetch(() => new Response(null, { status: 204 }));
    const sender = createSender({
      scheme: standardWebhooks({ secret: SECRET }),
      transport: createFetchTransport({ fetch: fetchStub }),
    });
    expect((await sender.send({ url: "https://hooks.example.com/in" }, { a: 1 }, { id: "msg_f" })).status).toBe(
      "delivered",
    );
    const headers = new Headers(calls[0]?.init.headers);
    expect(headers.get("webhook-id")).toBe("msg_f");
    expect(headers.get("webhook-signature")).toMatch(/^v1,/);
    expect(calls[0]?.init.body).toBe('{"a":1}');
  });
});
