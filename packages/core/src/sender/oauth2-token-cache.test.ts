import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64 } from "../lib/base64.js";
import { decodeUtf8 } from "../lib/utf8.js";
import { standardWebhooks } from "../schemes/standard-webhooks/standard-webhooks.js";
import { createSender } from "./create-sender.js";
import { type OAuth2ClientCredentials, TokenRequestError, createTokenCache } from "./oauth2-token-cache.js";
import { createAddressGuard } from "./ssrf/address-guard.js";
import type { AttemptEvent, TransportFactory, TransportRequest } from "./types.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TOKEN_URL = "https://auth.example.com/token";

/**
 * A token endpoint that knows one secret per client id and issues a new token per
 * request, and receivers that record the Authorization header they were sent.
 */
function tokenServer(secrets: Record<string, readonly string[]>) {
  const tokenRequests: { credentials: string; tls: unknown }[] = [];
  const delivered: { path: string; authorization: string | null }[] = [];
  const revoked = new Set<string>();
  let issued = 0;
  const send = async (request: TransportRequest) => {
    if (request.url.href === TOKEN_URL) {
      const credentials = decodeUtf8(
        decodeBase64(request.headers.get("authorization")?.slice(6) ?? "") ?? new Uint8Array(),
      );
      tokenRequests.push({ credentials, tls: request.tls });
      const [id = "", secret = ""] = credentials.split(":").map(decodeURIComponent);
      if (!(secrets[id] ?? []).includes(secret)) return reply(401, '{"error":"invalid_client"}');
      return reply(200, JSON.stringify({ access_token: `tok_${++issued}`, token_type: "Bearer", expires_in: 3600 }));
    }
    const authorization = request.headers.get("authorization");
    delivered.push({ path: request.url.pathname, authorization });
    return reply(authorization !== null && revoked.has(authorization.slice(7)) ? 401 : 204);
  };
  const factory: TransportFactory = () => ({ name: "token-server", send, async close() {} });
  return { factory, send, tokenRequests, delivered, revoke: (token: string) => revoked.add(token) };
}

function reply(status: number, body = "") {
  return { status, headers: new Headers({ "content-type": "application/json" }), body: new TextEncoder().encode(body) };
}

function cacheOver(server: ReturnType<typeof tokenServer>) {
  return createTokenCache({
    transport: { name: "token-server", send: server.send, async close() {} },
    guard: createAddressGuard(),
    now: () => Date.parse("2026-01-01T00:00:00Z"),
    timeoutMs: 1000,
  });
}

const victim: OAuth2ClientCredentials = {
  type: "oauth2",
  tokenUrl: TOKEN_URL,
  clientId: "acme",
  clientSecret: "victim-secret",
};

describe("the OAuth2 token cache", () => {
  it("never hands a token to another secret for the same token URL and client id: the token endpoint refuses it", async () => {
    const server = tokenServer({ acme: ["victim-secret"] });
    const attempts: AttemptEvent[] = [];
    const sender = createSender({
      scheme: standardWebhooks({ secret: SECRET }),
      transport: server.factory,
      onAttempt: (event) => void attempts.push(event),
      sleep: async () => {},
    });
    const own = await sender.send({ url: "https://victim.example.com/in", auth: victim }, "{}");
    expect(own.status).toBe("delivered");
    const attacker = { ...victim, clientSecret: "guessed" };
    const stolen = await sender.send({ url: "https://attacker.example.com/in", auth: attacker }, "{}");

    // Asked twice; the second request carried the attacker's secret and was refused there.
    expect(server.tokenRequests.map((r) => r.credentials)).toEqual(["acme:victim-secret", "acme:guessed"]);
    // invalid_client is a setup error: reported once, not retried.
    expect(stolen).toMatchObject({ status: "failed", attempts: 1 });
    expect(stolen.error).toBeInstanceOf(TokenRequestError);
    expect((stolen.error as TokenRequestError).status).toBe(401);
    expect(attempts.at(-1)?.outcome).toBe("rejected");
    expect(server.delivered).toEqual([{ path: "/in", authorization: "Bearer tok_1" }]);
    expect(server.delivered.filter((d) => d.authorization === "Bearer tok_1")).toHaveLength(1);
  });

  it("lets a 401 from one endpoint evict only that endpoint's token", async () => {
    const server = tokenServer({ acme: ["victim-secret", "other-secret"] });
    const sender = createSender({
      scheme: standardWebhooks({ secret: SECRET }),
      transport: server.factory,
      sleep: async () => {},
    });
    const other = { ...victim, clientSecret: "other-secret" };
    await sender.send({ url: "https://victim.example.com/in", auth: victim }, "{}");
    await sender.send({ url: "https://other.example.com/in", auth: other }, "{}");
    expect(server.tokenRequests).toHaveLength(2);
    server.revoke("tok_2"); // the other endpoint now answers 401 to its token
    expect(await sender.send({ url: "https://other.example.com/in", auth: other }, "{}")).toMatchObject({
      status: "delivered",
      attempts: 2,
    });
    expect(server.tokenRequests.map((r) => r.credentials)).toEqual([
      "acme:victim-secret",
      "acme:other-secret",
      "acme:other-secret",
    ]);
    // The victim's token survived.
    await sender.send({ url: "https://victim.example.com/in", auth: victim }, "{}");
    expect(server.tokenRequests).toHaveLength(3);
    expect(server.delivered.at(-1)?.authorization).toBe("Bearer tok_1");
  });

  it("refuses to drop a token under credentials that did not obtain it", async () => {
    const server = tokenServer({ acme: ["victim-secret"] });
    const cache = cacheOver(server);
    const token = await cache.get(victim);
    await cache.invalidate({ ...victim, clientSecret: "guessed" }, token);
    expect(await cache.get(victim)).toBe(token);
    expect(server.tokenRequests).toHaveLength(1);
  });

  const tlsArbitrary = fc.option(
    fc.record(
      {
        cert: fc.constantFrom("CERT-A", "CERT-B"),
        key: fc.constantFrom("KEY-A", "KEY-B"),
        passphrase: fc.constantFrom("p1", "p2"),
        ca: fc.oneof(fc.constantFrom("CA-A", "CA-B"), fc.array(fc.constantFrom("CA-A", "CA-B"), { maxLength: 2 })),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  );
  const credentialsArbitrary = fc.record({
    clientSecret: fc.constantFrom("secret-1", "secret-2", "Secret-1"),
    scope: fc.option(fc.constantFrom("", "a", "a b"), { nil: undefined }),
    audience: fc.option(fc.constantFrom("", "api"), { nil: undefined }),
    tls: tlsArbitrary,
  });

  it("shares an entry only between identical credentials and TLS settings (property)", async () => {
    await fc.assert(
      fc.asyncProperty(credentialsArbitrary, credentialsArbitrary, async (a, b) => {
        const server = tokenServer({ acme: ["secret-1", "secret-2", "Secret-1"] });
        const cache = cacheOver(server);
        const first = await cache.get({ ...victim, ...a });
        const second = await cache.get({ ...victim, ...b });
        const same = JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
        expect(second === first).toBe(same);
        expect(server.tokenRequests).toHaveLength(same ? 1 : 2);
        // Equivalent settings (a CA as a string or a one-element list) reuse the first request.
        expect(server.tokenRequests.at(-1)?.tls).toEqual(same ? a.tls : b.tls);
      }),
      {
        numRuns: 200,
        examples: [
          [
            { clientSecret: "secret-1", scope: undefined, audience: undefined, tls: { ca: ["CA-A"] } },
            { clientSecret: "secret-1", scope: undefined, audience: undefined, tls: { ca: "CA-A" } },
          ],
        ],
      },
    );
  });
});

function normalise(credentials: {
  clientSecret: string;
  scope?: string;
  audience?: string;
  tls?: { cert?: string; key?: string; passphrase?: string; ca?: string | string[] };
}) {
  const { tls } = credentials;
  const ca = tls?.ca === undefined ? null : typeof tls.ca === "string" ? [tls.ca] : tls.ca;
  return [
    credentials.clientSecret,
    credentials.scope ?? null,
    credentials.audience ?? null,
    tls === undefined ? null : [tls.cert ?? null, tls.key ?? null, tls.passphrase ?? null, ca],
  ];
}
