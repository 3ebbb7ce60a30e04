// @hooksec/core's sender against this example app as the receiver: HTTPS with
// client certificates mapped to tenants, each tenant with its own secret.
import { createSender, standardWebhooks } from "@hooksec/core";
import { createPki, hasOpenssl, requireBinaries } from "@hooksec/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningExample, start } from "../src/index.js";

const available = requireBinaries("the Koa example's sender tests over mTLS", { openssl: hasOpenssl() });

// A CA, the receiver's server certificate, the sender's client certificate, and
// one with the same name from a CA the receiver does not trust.
function createTestCertificates() {
  const pki = createPki("hooksec-koa-sender-");
  const ca = pki.createAuthority("ca", { subject: "/CN=hooksec sender test CA", days: 2 });
  const rogue = pki.createAuthority("rogue-ca", { subject: "/CN=someone else's CA", days: 2 });
  return {
    ca: ca.cert,
    server: ca.issueServer("server", { subject: "/CN=receiver", dns: ["receiver.test"], ip: ["127.0.0.1"] }),
    client: ca.issueClient("client", "/CN=sender-acme"),
    rogueClient: rogue.issueClient("rogue", "/CN=sender-acme"),
    cleanup: pki.cleanup,
  };
}
type TestCertificates = ReturnType<typeof createTestCertificates>;

const ACME_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

describe.runIf(available)("sending to the Koa example receiver over mTLS", () => {
  let certs: TestCertificates;
  let example: RunningExample;

  beforeAll(async () => {
    certs = createTestCertificates();
    example = await start({
      tenantSecrets: { acme: ACME_SECRET, other: OTHER_SECRET },
      tenants: [{ tenant: "acme", subject: "/CN=sender-acme" }],
      tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca },
    });
  });
  afterAll(async () => {
    await example?.close();
    certs?.cleanup();
  });

  const sender = (secret = ACME_SECRET) =>
    createSender({
      scheme: standardWebhooks({ secret }),
      ssrf: { allowCidrs: ["127.0.0.0/8"] },
      retry: { attempts: 3, baseDelayMs: 5 },
    });
  const endpoint = (client: { cert: string; key: string }) => ({
    url: `${example.url}/webhooks`,
    tls: { ...client, ca: certs.ca },
  });

  it("delivers to the tenant its client certificate proves, signed with that tenant's secret", async () => {
    const s = sender();
    const result = await s.send(endpoint(certs.client), { type: "order.created" });
    expect(result).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 204 });
    expect(example.inbox.processed).toContainEqual(
      expect.objectContaining({ id: result.id, tenant: "acme", type: "order.created" }),
    );
    await s.close();
  });

  it("retries after the app's handler fails once: processed exactly once, same id", async () => {
    const statuses: (number | undefined)[] = [];
    const retrying = createSender({
      scheme: standardWebhooks({ secret: ACME_SECRET }),
      ssrf: { allowCidrs: ["127.0.0.0/8"] },
      retry: { attempts: 3, baseDelayMs: 5 },
      onAttempt: (event) => void statuses.push(event.status),
    });
    const result = await retrying.send(endpoint(certs.client), { type: "demo.fail_once" });
    expect(result).toMatchObject({ status: "delivered", attempts: 2 });
    expect(statuses[0]).toBeGreaterThanOrEqual(500);
    expect(example.inbox.processed.filter((event) => event.id === result.id)).toHaveLength(1);
    await retrying.close();
  });

  it("is refused with another tenant's secret, and with a certificate from another CA", async () => {
    const wrongSecret = sender(OTHER_SECRET);
    expect(await wrongSecret.send(endpoint(certs.client), { type: "x" })).toMatchObject({
      status: "failed",
      attempts: 1,
      lastStatus: 401,
    });
    const s = sender();
    const rogue = await s.send(endpoint(certs.rogueClient), { type: "x" });
    expect(rogue).toMatchObject({ status: "failed", attempts: 1, lastStatus: 401 });
    expect(example.inbox.processed.map((event) => event.type)).not.toContain("x");
    await Promise.all([s.close(), wrongSecret.close()]);
  });
});
