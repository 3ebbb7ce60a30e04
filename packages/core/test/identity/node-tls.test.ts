// The same scenarios with Node terminating TLS itself: `https.createServer` with
// `requestCert`, the adapter passing the peer certificate and `socket.authorized`.
import { execFileSync } from "node:child_process";
import { requireBinaries } from "@hooksec/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenantDirectory } from "../../src/identity/tenants.js";
import { standardWebhooks } from "../../src/schemes/standard-webhooks/standard-webhooks.js";
import { testSecret } from "../../src/test-support/fixtures.js";
import { createVerifier } from "../../src/verifier/create-verifier.js";
import type { VerifierOptions, WebhookEvent } from "../../src/verifier/types.js";
import { send } from "./support/client.js";
import { createTestPki, findBinary, PRODUCER_SUBJECT, type TestPki } from "./support/pki.js";
import { startWebhookApp, type WebhookApp } from "./support/webhook-app.js";

const openssl = findBinary("openssl");
const available = requireBinaries("the Node TLS identity tests", { openssl });

describe.runIf(available)("identity with Node terminating mTLS", () => {
  const secrets: Record<string, string> = { "tenant-42": testSecret(), "tenant-7": testSecret() };
  const scheme = standardWebhooks({ secrets: ({ tenant }) => (tenant === undefined ? undefined : secrets[tenant]) });
  const tenants = createTenantDirectory([{ tenant: "tenant-42", subject: PRODUCER_SUBJECT }]);
  let pki: TestPki;
  let app: WebhookApp;
  let messages = 0;

  const verifier = (options: Partial<VerifierOptions> = {}) =>
    createVerifier({ scheme, identity: { tenants }, ...options });

  async function deliver(
    tenant: string,
    client: "producer" | "expired" | "otherCa" | undefined,
    extra: Record<string, string> = {},
  ) {
    const body = JSON.stringify({ n: ++messages });
    const headers = await standardWebhooks({ secret: secrets[tenant] as string }).sign({
      id: `msg_${messages}`,
      timestamp: new Date(),
      body,
    });
    const certificate = client === undefined ? {} : { cert: pki[client].cert, key: pki[client].key };
    return send({ port: app.port, headers: { ...headers, ...extra }, body, tls: { ca: pki.ca, ...certificate } });
  }

  beforeAll(async () => {
    if (!openssl) throw new Error("CI=true: openssl is required");
    pki = createTestPki();
    app = await startWebhookApp({
      verifier: verifier(),
      tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca },
    });
  });

  afterAll(async () => {
    await app?.close();
    pki?.cleanup();
  });

  it("maps the verified peer certificate to tenant-42 and reports days until expiry", async () => {
    const events: WebhookEvent[] = [];
    app.verifier = verifier({ onEvent: (event) => void events.push(event) });
    const reply = await deliver("tenant-42", "producer");
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json()).toMatchObject({
      tenant: "tenant-42",
      subject: "OU=tenant-42,O=Example,CN=payments-provider",
      source: "connection",
      clientIp: "127.0.0.1",
      daysUntilExpiry: 89,
    });
    expect(events.at(-1)).toMatchObject({
      type: "verified",
      tenant: "tenant-42",
      daysUntilExpiry: 89,
      clientIp: "127.0.0.1",
    });
  });

  it("agrees with openssl on the SHA-256 fingerprint (a pin works)", async () => {
    const fingerprint = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], {
      input: pki.producer.cert,
    })
      .toString()
      .split("=")[1]
      ?.trim() as string;
    app.verifier = verifier({ identity: { tenants: [{ tenant: "pinned", fingerprint }] } });
    const reply = await deliver("tenant-42", "producer").catch((error: unknown) => error);
    // The pin names tenant "pinned", which has no secret: the signature cannot match.
    expect(reply).toMatchObject({ status: 401 });
    secrets.pinned = secrets["tenant-42"] as string;
    const pinned = await deliver("pinned", "producer");
    expect(pinned.status, pinned.text).toBe(200);
    expect(pinned.json().tenant).toBe("pinned");
  });

  it.each([
    { label: "no client certificate", client: undefined, code: "client_certificate_required" },
    { label: "a certificate from another CA", client: "otherCa", code: "client_certificate_invalid" },
    { label: "an expired certificate", client: "expired", code: "client_certificate_expired" },
  ] as const)("refuses $label with $code", async ({ client, code }) => {
    app.verifier = verifier();
    const reply = await deliver("tenant-42", client);
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ code });
  });

  it("refuses forged X-Client-* headers from the connecting peer, even with a valid certificate", async () => {
    app.verifier = verifier();
    const reply = await deliver("tenant-42", "producer", {
      "X-Client-Verify": "SUCCESS",
      "X-Client-Subject": "OU=tenant-7,O=Example,CN=x",
    });
    expect(reply.status).toBe(403);
    expect(reply.json()).toMatchObject({ code: "untrusted_proxy" });
  });

  it("needs the certificate's tenant and the signature's tenant to be the same", async () => {
    app.verifier = verifier();
    const reply = await deliver("tenant-7", "producer");
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ code: "invalid_signature" });
  });

  it("disables the tenant at once and answers 429 with Retry-After over the rate limit", async () => {
    app.verifier = verifier();
    tenants.disable("tenant-42");
    expect((await deliver("tenant-42", "producer")).json()).toMatchObject({ code: "tenant_disabled" });
    tenants.enable("tenant-42");
    app.verifier = verifier({ rateLimit: { points: 2, durationSeconds: 60 } });
    expect((await deliver("tenant-42", "producer")).status).toBe(200);
    expect((await deliver("tenant-42", "producer")).status).toBe(200);
    const limited = await deliver("tenant-42", "producer");
    expect(limited.status).toBe(429);
    expect(limited.json()).toMatchObject({ code: "rate_limited" });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(60);
  });

  it("refuses a client outside the allowlist before looking at its certificate", async () => {
    app.verifier = verifier({ allowlist: ["10.0.0.0/8", "::1"] });
    const reply = await deliver("tenant-42", "producer");
    expect(reply.status).toBe(403);
    expect(reply.json()).toMatchObject({ code: "forbidden_ip" });
    app.verifier = verifier({ allowlist: ["127.0.0.0/8"] });
    expect((await deliver("tenant-42", "producer")).status).toBe(200);
  });
});
