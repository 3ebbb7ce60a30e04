// End to end on loopback: a real HTTPS receiver that requires a client
// certificate from its CA and verifies every webhook with core's verifier, a
// small OAuth2 token server, and the sender with each auth mode and scheme.
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AttemptEvent,
  createSender,
  createVerifier,
  type Endpoint,
  type OutboundAuth,
  type SenderOptions,
  standardWebhooks,
  type TlsCertificateError,
  type Verifier,
  jwe,
  jws,
} from "../../src/index.js";
import { createNodeTransport } from "../../src/sender/transport/node.js";
import { createTestCertificates, opensslAvailable, type TestCertificates } from "./support/certificates.js";
import { requireBinaries } from "@hooksec/testkit";

const hasOpenssl = requireBinaries("the sender's mTLS end-to-end tests", { openssl: opensslAvailable() });
if (!hasOpenssl) console.warn("openssl not found: skipping the sender mTLS end-to-end tests");

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const RECEIVER = "receiver.test";
const LOOPBACK = { allowCidrs: ["127.0.0.0/8"] };

interface Processed {
  readonly path: string;
  readonly id: string;
  readonly body: unknown;
  readonly clientCertificate: string | string[] | undefined;
}

async function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function ed25519Pair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d ?? "", "base64url").toString("base64");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x ?? "", "base64url").toString("base64");
  return { privateKey: `whsk_${seed}`, publicKey: `whpk_${raw}` };
}

describe.runIf(hasOpenssl)("sending over HTTPS with mTLS to a verifying receiver", () => {
  let certs: TestCertificates;
  let receiver: Server;
  let tokenServer: Server;
  let receiverPort = 0;
  let tokenPort = 0;
  let clock = Date.now();
  const now = () => clock;

  // Receiver state, reset before each test.
  let verifier: Verifier;
  let acceptAuthorization: (headers: Record<string, string | string[] | undefined>) => boolean;
  let processed: Processed[];
  let seenIds: string[];
  let flakyFailuresLeft: number;
  // Token server state.
  let tokenCalls: number;
  let tokenRequests: string[];
  let validTokens: Set<string>;
  let authorizations: (string | undefined)[];

  beforeAll(async () => {
    certs = createTestCertificates({ dns: [RECEIVER], ip: ["127.0.0.1"] });
    receiver = createServer(
      { key: certs.server.key, cert: certs.server.cert, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
      async (req, res) => {
        const body = await readBody(req);
        const path = new URL(req.url ?? "/", "https://x").pathname;
        const id = req.headers["webhook-id"];
        if (typeof id === "string") seenIds.push(id);
        authorizations.push(req.headers.authorization);
        if (path === "/gone") return void res.writeHead(410).end();
        if (path === "/redirect") return void res.writeHead(307, { location: "/hook" }).end();
        if (!acceptAuthorization(req.headers)) return void res.writeHead(401).end();
        const socket = req.socket as TLSSocket;
        try {
          const webhook = await verifier.verifyParts({
            method: req.method ?? "POST",
            url: `https://${req.headers.host}${req.url}`,
            headers: req.headers,
            body,
            connection: {
              remoteAddress: socket.remoteAddress,
              peerCertificate: socket.getPeerCertificate().raw,
              peerCertificateVerified: socket.authorized,
            },
          });
          if (path === "/flaky" && flakyFailuresLeft > 0) {
            flakyFailuresLeft--;
            await webhook.release(); // the handler failed: let the retry be processed
            return void res.writeHead(503).end();
          }
          if (!webhook.duplicate) {
            processed.push({
              path,
              id: webhook.id,
              body: webhook.json(),
              clientCertificate: socket.getPeerCertificate().subject?.CN,
            });
          }
          res.writeHead(204).end();
        } catch (error) {
          res.writeHead((error as { status?: number }).status ?? 500).end((error as { code?: string }).code);
        }
      },
    );
    tokenServer = createServer({ key: certs.server.key, cert: certs.server.cert }, async (req, res) => {
      const form = new URLSearchParams((await readBody(req)).toString());
      const basic = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
      tokenRequests.push(basic);
      if (req.method !== "POST" || form.get("grant_type") !== "client_credentials" || basic !== "sender-acme:s3cret") {
        return void res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid_client"}');
      }
      tokenCalls++;
      const token = `tok_${tokenCalls}_${form.get("scope")}`;
      validTokens.add(token);
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: 60 }));
    });
    receiverPort = await listen(receiver);
    tokenPort = await listen(tokenServer);
  });

  afterAll(async () => {
    await Promise.all([receiver && close(receiver), tokenServer && close(tokenServer)]);
    certs?.cleanup();
  });

  beforeEach(() => {
    verifier = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), now });
    acceptAuthorization = () => true;
    processed = [];
    seenIds = [];
    flakyFailuresLeft = 0;
    tokenCalls = 0;
    tokenRequests = [];
    validTokens = new Set();
    authorizations = [];
  });

  /** A sender whose resolver maps receiver.test to 127.0.0.1: TLS still validates the name. */
  function sender(options: Partial<SenderOptions> = {}) {
    return createSender({
      scheme: standardWebhooks({ secret: SECRET }),
      transport: createNodeTransport({ resolve: async () => ["127.0.0.1"] }),
      ssrf: LOOPBACK,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      now,
      ...options,
    });
  }

  const endpoint = (path: string, extra: Partial<Endpoint> = {}): Endpoint => ({
    url: `https://${RECEIVER}:${receiverPort}${path}`,
    tls: { cert: certs.client.cert, key: certs.client.key, ca: certs.ca },
    ...extra,
  });

  it("delivers with a client certificate to a receiver that requires one", async () => {
    const s = sender();
    const result = await s.send(endpoint("/hook"), { type: "invoice.paid", n: 1 }, { id: "msg_mtls" });
    expect(result).toEqual({ status: "delivered", id: "msg_mtls", attempts: 1, lastStatus: 204 });
    expect(processed).toEqual([
      { path: "/hook", id: "msg_mtls", body: { type: "invoice.paid", n: 1 }, clientCertificate: "sender-acme" },
    ]);
    await s.close();
  });

  it("uses the default transport of Node (the #transport node condition) to an IP-literal endpoint", async () => {
    const s = createSender({ scheme: standardWebhooks({ secret: SECRET }), ssrf: LOOPBACK, now });
    const result = await s.send(
      { ...endpoint("/hook"), url: `https://127.0.0.1:${receiverPort}/hook` },
      { via: "default" },
    );
    expect(result.status).toBe("delivered");
    expect(processed.map((p) => p.body)).toEqual([{ via: "default" }]);
    await s.close();
  });

  it("is refused with a client certificate from another CA, and without one", async () => {
    const s = sender({ retry: { attempts: 1 } });
    const rogue = await s.send(endpoint("/hook", { tls: { ...certs.rogueClient, ca: certs.ca } }), "{}");
    const none = await s.send(endpoint("/hook", { tls: { ca: certs.ca } }), "{}");
    for (const result of [rogue, none]) {
      expect(result.status).toBe("failed");
      expect(result.lastStatus).toBeUndefined();
      expect(result.error).toBeInstanceOf(Error);
    }
    expect(processed).toEqual([]);
    await s.close();
  });

  it("refuses a receiver whose certificate does not chain to the pinned CA, or names another host, once and without retrying", async () => {
    const attempts: AttemptEvent[] = [];
    const s = sender({ onAttempt: (event) => void attempts.push(event) });
    const unpinned = await s.send(endpoint("/hook", { tls: { ...certs.client, ca: certs.rogueClient.cert } }), "{}");
    const systemRoots = await s.send(endpoint("/hook", { tls: certs.client }), "{}"); // self-signed test CA, not pinned
    const otherName = await s.send({ ...endpoint("/hook"), url: `https://other.test:${receiverPort}/hook` }, "{}");
    for (const result of [unpinned, systemRoots, otherName]) {
      expect(result).toMatchObject({
        status: "failed",
        attempts: 1,
        error: { name: "TlsCertificateError", code: "tls_certificate_invalid" },
      });
    }
    expect((otherName.error as TlsCertificateError).reason).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(attempts.map((a) => a.outcome)).toEqual(["rejected", "rejected", "rejected"]);
    expect(processed).toEqual([]);
    await s.close();
  });

  it.each<[string, OutboundAuth, (h: Record<string, string | string[] | undefined>) => boolean]>([
    ["API key", { type: "api-key", header: "x-api-key", key: "k_live_123" }, (h) => h["x-api-key"] === "k_live_123"],
    [
      "Basic",
      { type: "basic", clientId: "sender-acme", clientSecret: "s3cret" },
      (h) => h.authorization === `Basic ${Buffer.from("sender-acme:s3cret").toString("base64")}`,
    ],
    ["Bearer", { type: "bearer", token: "static_token" }, (h) => h.authorization === "Bearer static_token"],
  ])("authenticates with %s", async (_name, auth, accept) => {
    acceptAuthorization = accept;
    const s = sender({ retry: { attempts: 1 } });
    expect((await s.send(endpoint("/hook", { auth }), { auth: _name })).status).toBe("delivered");
    acceptAuthorization = () => false;
    expect(await s.send(endpoint("/hook", { auth }), "{}")).toMatchObject({ status: "failed", lastStatus: 401 });
    expect(processed.map((p) => p.body)).toEqual([{ auth: _name }]);
    await s.close();
  });

  describe("OAuth2 client credentials", () => {
    const oauth = (): OutboundAuth => ({
      type: "oauth2",
      tokenUrl: `https://${RECEIVER}:${tokenPort}/token`,
      clientId: "sender-acme",
      clientSecret: "s3cret",
      scope: "webhooks",
      tls: { ca: certs.ca },
    });

    beforeEach(() => {
      acceptAuthorization = (h) =>
        typeof h.authorization === "string" && validTokens.has(h.authorization.replace(/^Bearer /, ""));
    });

    it("calls the token endpoint once for many deliveries, and again after expiry", async () => {
      const s = sender();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => s.send(endpoint("/hook", { auth: oauth() }), { i })),
      );
      for (let i = 8; i < 12; i++) results.push(await s.send(endpoint("/hook", { auth: oauth() }), { i }));
      expect(results.every((r) => r.status === "delivered")).toBe(true);
      expect(tokenCalls).toBe(1);
      expect(processed).toHaveLength(12);

      clock += 61_000; // past expires_in: 60
      expect((await s.send(endpoint("/hook", { auth: oauth() }), { i: 12 })).status).toBe("delivered");
      expect(tokenCalls).toBe(2);
      await s.close();
    });

    it("retries once with a fresh token after a 401", async () => {
      const attempts: AttemptEvent[] = [];
      const s = sender({ onAttempt: (event) => void attempts.push(event) });
      expect((await s.send(endpoint("/hook", { auth: oauth() }), { n: 1 })).status).toBe("delivered");
      validTokens.clear(); // the receiver revokes the cached token
      const result = await s.send(endpoint("/hook", { auth: oauth() }), { n: 2 });
      expect(result).toMatchObject({ status: "delivered", attempts: 2 });
      expect(tokenCalls).toBe(2);
      expect(attempts.slice(1).map((a) => [a.outcome, a.status])).toEqual([
        ["unauthorized", 401],
        ["delivered", 204],
      ]);
      await s.close();
    });

    it("never gives a cached token to an endpoint naming the same token URL and client id with another secret", async () => {
      const s = sender();
      expect((await s.send(endpoint("/hook", { auth: oauth() }), { tenant: "victim" })).status).toBe("delivered");
      const victimToken = [...validTokens][0];
      const attacker = { ...oauth(), clientSecret: "guessed" } as OutboundAuth;
      const result = await s.send(endpoint("/attacker", { auth: attacker }), { tenant: "attacker" });
      // The token endpoint was asked again and refused the attacker's secret: reported once, not retried.
      expect(tokenRequests).toEqual(["sender-acme:s3cret", "sender-acme:guessed"]);
      expect(result).toMatchObject({
        status: "failed",
        attempts: 1,
        error: { name: "TokenRequestError", status: 401 },
      });
      expect(authorizations).toEqual([`Bearer ${victimToken}`]);
      expect(processed.map((p) => p.path)).toEqual(["/hook"]);
      await s.close();
    });

    it("fails after one refresh when the receiver keeps answering 401", async () => {
      acceptAuthorization = () => false;
      const s = sender();
      expect(await s.send(endpoint("/hook", { auth: oauth() }), "{}")).toMatchObject({
        status: "failed",
        attempts: 2,
        lastStatus: 401,
      });
      expect(tokenCalls).toBe(2);
      await s.close();
    });
  });

  it("signs with Ed25519 (Standard Webhooks v1a)", async () => {
    const { privateKey, publicKey } = ed25519Pair();
    verifier = createVerifier({ scheme: standardWebhooks({ publicKey }), now });
    const s = sender({ scheme: standardWebhooks({ privateKey }) });
    expect((await s.send(endpoint("/hook"), { signed: "ed25519" }, { id: "msg_ed" })).status).toBe("delivered");
    expect(processed.map((p) => [p.id, p.body])).toEqual([["msg_ed", { signed: "ed25519" }]]);
    // The HMAC verifier refuses it: the receiver's checks really ran.
    verifier = createVerifier({ scheme: standardWebhooks({ secret: SECRET }), now });
    expect(await s.send(endpoint("/hook"), "{}", { id: "msg_ed2" })).toMatchObject({
      status: "failed",
      lastStatus: 401,
    });
    await s.close();
  });

  it("sends a JWS payload (ES256) that the receiver verifies against its JWKS", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "sender-1", alg: "ES256" }] };
    verifier = createVerifier({ scheme: jws({ jwks, algorithms: ["ES256"] }), now });
    const s = sender({ scheme: jws({ privateKey, alg: "ES256", kid: "sender-1" }) });
    expect((await s.send(endpoint("/hook"), { signed: "jws" }, { id: "msg_jws" })).status).toBe("delivered");
    // The compact JWS carries the payload as claims, with the id as jti and the time as iat.
    expect(processed.map((p) => p.id)).toEqual(["msg_jws"]);
    expect(processed[0]?.body).toMatchObject({ signed: "jws", jti: "msg_jws", iat: Math.floor(clock / 1000) });
    // A key the receiver does not know is refused there.
    const other = await generateKeyPair("ES256");
    const stranger = sender({
      scheme: jws({ privateKey: other.privateKey, alg: "ES256", kid: "sender-1" }),
      retry: { attempts: 1 },
    });
    expect(await stranger.send(endpoint("/hook"), "{}")).toMatchObject({ status: "failed", lastStatus: 401 });
    await Promise.all([s.close(), stranger.close()]);
  });

  it("sends a nested JWE (ECDH-ES+A256KW around an ES256 JWS) that the receiver decrypts and verifies", async () => {
    const signing = await generateKeyPair("ES256", { extractable: true });
    const encryption = await generateKeyPair("ECDH-ES+A256KW", { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(signing.publicKey)), kid: "sender-1", alg: "ES256" }] };
    verifier = createVerifier({
      scheme: jwe({
        privateKey: encryption.privateKey,
        alg: "ECDH-ES+A256KW",
        inner: jws({ jwks, algorithms: ["ES256"] }),
      }),
      now,
    });
    const s = sender({
      scheme: jwe({
        publicKey: encryption.publicKey,
        alg: "ECDH-ES+A256KW",
        inner: jws({ privateKey: signing.privateKey, alg: "ES256", kid: "sender-1" }),
      }),
    });
    flakyFailuresLeft = 1;
    const result = await s.send(endpoint("/flaky"), { secret: "plans" }, { id: "msg_jwe" });
    expect(result).toMatchObject({ status: "delivered", attempts: 2 });
    expect(processed.map((p) => p.id)).toEqual(["msg_jwe"]);
    expect(processed[0]?.body).toMatchObject({ secret: "plans", jti: "msg_jwe" });
    expect(seenIds).toEqual([]); // the id travels only inside the encrypted, signed payload
    await s.close();
  });

  it("retries a failing receiver: one processed delivery, the same id on every attempt", async () => {
    flakyFailuresLeft = 3;
    const attempts: AttemptEvent[] = [];
    const s = sender({ onAttempt: (event) => void attempts.push(event) });
    const result = await s.send(endpoint("/flaky"), { retry: true });
    expect(result).toMatchObject({ status: "delivered", attempts: 4, lastStatus: 204 });
    expect(processed).toEqual([
      { path: "/flaky", id: result.id, body: { retry: true }, clientCertificate: "sender-acme" },
    ]);
    expect(seenIds).toEqual([result.id, result.id, result.id, result.id]);
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 503, 204]);
    await s.close();
  });

  it("reports 410 as gone after one attempt", async () => {
    const s = sender();
    expect(await s.send(endpoint("/gone"), "{}")).toMatchObject({ status: "gone", attempts: 1, lastStatus: 410 });
    expect(seenIds).toHaveLength(1);
    await s.close();
  });

  it("does not follow a redirect", async () => {
    const s = sender();
    expect(await s.send(endpoint("/redirect"), "{}")).toMatchObject({ status: "failed", attempts: 1, lastStatus: 307 });
    expect(seenIds).toHaveLength(1);
    expect(processed).toEqual([]);
    await s.close();
  });

  it("times out a receiver that never answers and retries", async () => {
    const { createServer: createTcpServer } = await import("node:net");
    const accepted: import("node:net").Socket[] = [];
    const silent = createTcpServer((socket) => void accepted.push(socket));
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, "127.0.0.1", () => resolve((silent.address() as AddressInfo).port)),
    );
    const s = sender({ timeouts: { connectMs: 200, totalMs: 300 }, retry: { attempts: 2, baseDelayMs: 1 } });
    const result = await s.send({ url: `https://${RECEIVER}:${port}/hook` }, "{}");
    expect(result).toMatchObject({ status: "failed", attempts: 2 });
    expect(result.error).toBeInstanceOf(Error);
    expect(accepted.length).toBe(2);
    await s.close();
    for (const socket of accepted) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
