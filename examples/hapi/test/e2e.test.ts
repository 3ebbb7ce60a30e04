import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Test support shared with the Hapi example: a real HTTP(S) client and openssl-made certificates.
import { type DevPki, type KeyPair, createDevPki, hasOpenssl } from "../../koa/src/dev-certificates.js";
import { randomSecret, send, signed } from "../../koa/test/client.js";
import { type RunningExample, getWebhookRoute, start } from "./support.js";

const secret = randomSecret();

describe("the Hapi example over plain HTTP", () => {
  let example: RunningExample;
  let misconfigured: RunningExample;

  beforeAll(async () => {
    example = await start({ secret, maxBodyBytes: 64 * 1024 });
    // A webhook route left with Hapi's default payload parsing.
    misconfigured = await start({ secret });
    misconfigured.server.route(getWebhookRoute("/webhooks-parsed", misconfigured));
  });
  afterAll(async () => {
    await example?.close();
    await misconfigured?.close();
  });

  const deliver = (sent: { headers: Record<string, string>; body: string }) =>
    send(`${example.url}/webhooks`, { headers: sent.headers, body: sent.body });
  const processedIds = () => example.inbox.processed.map((event) => event.id);

  it("processes a valid delivery once", async () => {
    const sent = await signed(secret, { type: "invoice.paid", amount: 42 });
    expect((await deliver(sent)).status).toBe(204);
    expect(processedIds().filter((id) => id === sent.id)).toHaveLength(1);
    const listed = await send(`${example.url}/events`, { method: "GET" });
    expect(listed.body).toContainEqual({ id: sent.id, type: "invoice.paid", keyId: expect.any(String) });
  });

  it("refuses a tampered body with 401 invalid_signature", async () => {
    const sent = await signed(secret, { type: "invoice.paid", amount: 42 });
    const reply = await deliver({ ...sent, body: sent.body.replace("42", "4200") });
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("invalid_signature");
    expect(processedIds()).not.toContain(sent.id);
  });

  it("refuses a stale delivery with timestamp_too_old", async () => {
    const sent = await signed(secret, { type: "invoice.paid" }, { timestamp: new Date(Date.now() - 10 * 60_000) });
    const reply = await deliver(sent);
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("timestamp_too_old");
    expect(processedIds()).not.toContain(sent.id);
  });

  it("acknowledges a duplicate with 200 and does not process it twice", async () => {
    const sent = await signed(secret, { type: "invoice.paid" });
    expect((await deliver(sent)).status).toBe(204);
    const again = await deliver(sent);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(processedIds().filter((id) => id === sent.id)).toHaveLength(1);
  });

  it("processes the retry once after the handler failed", async () => {
    const sent = await signed(secret, { type: "demo.fail_once" });
    expect((await deliver(sent)).status).toBe(500);
    expect(processedIds()).not.toContain(sent.id);
    expect((await deliver(sent)).status).toBe(204);
    expect((await deliver(sent)).status).toBe(200);
    expect(processedIds().filter((id) => id === sent.id)).toHaveLength(1);
  });

  it("refuses an oversize body with 413 body_too_large", async () => {
    const sent = await signed(secret, { type: "big", data: "x".repeat(100 * 1024) });
    const reply = await deliver(sent);
    expect(reply.status).toBe(413);
    expect(reply.body.error?.code).toBe("body_too_large");
  });

  it("gives a clear body_already_consumed error on a route that parses the payload", async () => {
    const sent = await signed(secret, { type: "invoice.paid" });
    const reply = await send(`${misconfigured.url}/webhooks-parsed`, { headers: sent.headers, body: sent.body });
    expect(reply.status).toBe(500);
    expect(reply.body.error?.code).toBe("body_already_consumed");
    expect(misconfigured.inbox.processed).toHaveLength(0);
  });
});

const openssl = hasOpenssl();
if (!openssl && process.env.CI === "true") throw new Error("openssl is required for the mTLS example tests under CI");
if (!openssl) console.warn("skipping the Hapi example's mTLS tests: openssl is not installed");

describe.runIf(openssl)("the Hapi example with Node terminating mTLS", () => {
  let pki: DevPki;
  let example: RunningExample;
  let ca: string;
  let acme: KeyPair;
  let globex: KeyPair;
  let stranger: KeyPair;
  let foreign: KeyPair;
  const secrets = { acme: randomSecret(), globex: randomSecret() };

  beforeAll(async () => {
    pki = createDevPki();
    const authority = pki.createAuthority("example CA");
    ca = authority.cert;
    acme = authority.issueClient("acme", "/CN=acme-sender/O=Acme/OU=acme");
    globex = authority.issueClient("globex", "/CN=globex-sender/O=Globex/OU=globex");
    stranger = authority.issueClient("stranger", "/CN=stranger/O=Nobody");
    foreign = pki.createAuthority("another CA").issueClient("foreign", "/CN=acme-sender/O=Acme/OU=acme");
    const server = authority.issueServer("server");
    example = await start({
      tenantSecrets: secrets,
      tenants: [
        { tenant: "acme", subject: "/CN=acme-sender/O=Acme/OU=acme" },
        { tenant: "globex", subject: "/CN=globex-sender/O=Globex/OU=globex" },
      ],
      tls: { key: server.key, cert: server.cert, ca },
    });
  });
  afterAll(async () => {
    await example?.close();
    pki?.cleanup();
  });

  const deliver = (sent: { headers: Record<string, string>; body: string }, client?: KeyPair, extra: Record<string, string> = {}) =>
    send(`${example.url}/webhooks`, { headers: { ...sent.headers, ...extra }, body: sent.body, ca, key: client?.key, cert: client?.cert });

  it("accepts a delivery signed with the tenant's secret over its client certificate", async () => {
    const sent = await signed(secrets.acme, { type: "order.created" });
    expect((await deliver(sent, acme)).status).toBe(204);
    expect(example.inbox.processed).toContainEqual(expect.objectContaining({ id: sent.id, tenant: "acme" }));
  });

  it("refuses a delivery without a client certificate: client_certificate_required", async () => {
    const reply = await deliver(await signed(secrets.acme, { type: "order.created" }));
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("client_certificate_required");
  });

  it("refuses a certificate from another CA: client_certificate_invalid", async () => {
    const reply = await deliver(await signed(secrets.acme, { type: "order.created" }), foreign);
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("client_certificate_invalid");
  });

  it("refuses a certificate that maps to no tenant: unknown_tenant", async () => {
    const reply = await deliver(await signed(secrets.acme, { type: "order.created" }), stranger);
    expect(reply.status).toBe(403);
    expect(reply.body.error?.code).toBe("unknown_tenant");
  });

  it("refuses one tenant's certificate with another tenant's signature: invalid_signature", async () => {
    const reply = await deliver(await signed(secrets.acme, { type: "order.created" }), globex);
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("invalid_signature");
  });

  it("refuses forged proxy headers from a peer that is no trusted proxy: untrusted_proxy", async () => {
    const sent = await signed(secrets.acme, { type: "order.created" });
    const reply = await deliver(sent, undefined, { "x-client-verify": "SUCCESS", "x-client-subject": "OU=acme,O=Acme,CN=acme-sender" });
    expect(reply.status).toBe(403);
    expect(reply.body.error?.code).toBe("untrusted_proxy");
  });
});
