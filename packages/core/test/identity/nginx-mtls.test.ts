// mTLS terminated by a real nginx that forwards the client certificate to the
// app in headers; the app trusts those headers from the proxy's address only.
import { freePort, type Nginx, requireBinaries, startNginx } from "@hooksec/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standardWebhooks } from "../../src/schemes/standard-webhooks/standard-webhooks.js";
import { testSecret } from "../../src/test-support/fixtures.js";
import { createVerifier } from "../../src/verifier/create-verifier.js";
import type { VerifierOptions } from "../../src/verifier/types.js";
import { send } from "./support/client.js";
import { createTestPki, findBinary, PRODUCER_SUBJECT, type TestPki } from "./support/pki.js";
import { startWebhookApp, type WebhookApp } from "./support/webhook-app.js";

const nginxBinary = findBinary("nginx", ["/usr/sbin/nginx"]);
const openssl = findBinary("openssl");
const available = requireBinaries("the nginx mTLS identity tests", { nginx: nginxBinary, openssl });

/** nginx connects to the app from this address; a caller on 127.0.0.1 is not the proxy. */
const PROXY_ADDRESS = "127.0.0.2";
const SEED_KEY = "CN=payments-provider,O=Example,OU=tenant-42";
const NGINX_SUBJECT = "OU=tenant-42,O=Example,CN=payments-provider";

describe.runIf(available)("identity behind a real nginx terminating mTLS", () => {
  const secrets: Record<string, string> = { "tenant-42": testSecret(), "tenant-7": testSecret() };
  const scheme = standardWebhooks({ secrets: ({ tenant }) => (tenant === undefined ? undefined : secrets[tenant]) });
  let pki: TestPki;
  let app: WebhookApp;
  let nginx: Nginx;
  let strictPort: number;
  let optionalPort: number;
  let messages = 0;

  const verifier = (options: Partial<VerifierOptions> = {}) =>
    createVerifier({
      scheme,
      trustedProxies: [PROXY_ADDRESS],
      identity: { tenants: [{ tenant: "tenant-42", subject: PRODUCER_SUBJECT }], requireForwardedCertificate: true },
      ...options,
    });

  async function signedBy(tenant: string, extra: Record<string, string> = {}) {
    const body = JSON.stringify({ type: "invoice.paid", n: ++messages });
    const headers = await standardWebhooks({ secret: secrets[tenant] as string }).sign({
      id: `msg_${messages}`,
      timestamp: new Date(),
      body,
    });
    return { headers: { ...headers, ...extra }, body };
  }

  beforeAll(async () => {
    if (!nginxBinary || !openssl)
      throw new Error("CI=true: nginx and openssl are required (scripts/install-servers.sh installs them)");
    pki = createTestPki();
    app = await startWebhookApp({ verifier: verifier() });
    strictPort = await freePort();
    optionalPort = await freePort();
    const location = `
      location / {
        proxy_pass http://127.0.0.1:${app.port};
        proxy_bind ${PROXY_ADDRESS};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Client-Verify $ssl_client_verify;
        proxy_set_header X-Client-Subject $ssl_client_s_dn;
        proxy_set_header X-Client-Cert $ssl_client_escaped_cert;
      }`;
    const tls = `
      ssl_certificate ${pki.server.certPath};
      ssl_certificate_key ${pki.server.keyPath};
      ssl_protocols TLSv1.3;
      ssl_client_certificate ${pki.caPath};
      ssl_verify_depth 2;`;
    const config = `
worker_processes 1;
pid ${pki.dir}/nginx.pid;
error_log ${pki.dir}/logs/error.log info;
events { worker_connections 64; }
http {
  access_log ${pki.dir}/logs/access.log;
  client_body_temp_path ${pki.dir}/body;
  proxy_temp_path ${pki.dir}/proxy;
  fastcgi_temp_path ${pki.dir}/fastcgi;
  uwsgi_temp_path ${pki.dir}/uwsgi;
  scgi_temp_path ${pki.dir}/scgi;
  server {
    listen 127.0.0.1:${strictPort} ssl;
    ${tls}
    ssl_verify_client on;
    ${location}
  }
  server {
    listen 127.0.0.1:${optionalPort} ssl;
    ${tls}
    # forwards failed verifications too, so the app refuses them with its own codes
    ssl_verify_client optional_no_ca;
    ${location}
  }
}
`;
    nginx = await startNginx({ binary: nginxBinary, dir: pki.dir, config, ports: [strictPort, optionalPort] });
  });

  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
    pki?.cleanup();
  });

  it("accepts the producer's certificate and maps it to tenant-42 by exact subject", async () => {
    app.verifier = verifier();
    const { headers, body } = await signedBy("tenant-42");
    const reply = await send({
      port: strictPort,
      headers,
      body,
      tls: { ca: pki.ca, cert: pki.producer.cert, key: pki.producer.key },
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json()).toMatchObject({
      tenant: "tenant-42",
      subject: NGINX_SUBJECT,
      source: "proxy",
      clientIp: "127.0.0.1",
      daysUntilExpiry: 89,
    });
    const seen = app.seen.at(-1);
    expect(seen?.remoteAddress).toBe(PROXY_ADDRESS);
    expect(seen?.headers["x-client-verify"]).toBe("SUCCESS");
    expect(seen?.headers["x-client-cert"]).toMatch(/^-----BEGIN%20CERTIFICATE-----%0A/);
  });

  it("shows nginx sends the subject in RFC 2253 order, not the seed's key, and canonical DNs still match", async () => {
    // nginx forwards the RDNs last-to-first: the seed's key lists them in certificate order.
    expect(app.seen.at(-1)?.headers["x-client-subject"]).toBe(NGINX_SUBJECT);
    expect(NGINX_SUBJECT).not.toBe(SEED_KEY);

    app.verifier = verifier({ identity: { tenants: [{ tenant: "tenant-42", subject: SEED_KEY }] } });
    let signed = await signedBy("tenant-42");
    let reply = await send({
      port: strictPort,
      ...signed,
      tls: { ca: pki.ca, cert: pki.producer.cert, key: pki.producer.key },
    });
    expect(reply.status).toBe(403);
    expect(reply.json()).toMatchObject({ code: "unknown_tenant" });
    expect(String(reply.json().detail)).toContain("another order");

    // Other spellings of the real subject all map: they canonicalise to one string.
    for (const subject of [NGINX_SUBJECT, "ou=tenant-42, o=Example, commonName=payments-provider", PRODUCER_SUBJECT]) {
      app.verifier = verifier({ identity: { tenants: [{ tenant: "tenant-42", subject }] } });
      signed = await signedBy("tenant-42");
      reply = await send({
        port: strictPort,
        ...signed,
        tls: { ca: pki.ca, cert: pki.producer.cert, key: pki.producer.key },
      });
      expect(reply.status, subject).toBe(200);
      expect(reply.json().tenant).toBe("tenant-42");
    }
  });

  it("maps by OU and by fingerprint pin from the forwarded certificate", async () => {
    const { execFileSync } = await import("node:child_process");
    const fingerprint = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], {
      input: pki.producer.cert,
    })
      .toString()
      .split("=")[1]
      ?.trim() as string;
    for (const tenants of [[{ attribute: "OU" }], [{ tenant: "tenant-42", fingerprint }]]) {
      app.verifier = verifier({ identity: { tenants } });
      const signed = await signedBy("tenant-42");
      const reply = await send({
        port: strictPort,
        ...signed,
        tls: { ca: pki.ca, cert: pki.producer.cert, key: pki.producer.key },
      });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.json().tenant).toBe("tenant-42");
    }
  });

  it("needs the certificate's tenant and the signature's tenant to be the same", async () => {
    app.verifier = verifier();
    const signed = await signedBy("tenant-7");
    const reply = await send({
      port: strictPort,
      ...signed,
      tls: { ca: pki.ca, cert: pki.producer.cert, key: pki.producer.key },
    });
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ code: "invalid_signature" });
  });

  it("replaces client-sent X-Client-* and reads the client IP past a forged X-Forwarded-For", async () => {
    app.verifier = verifier();
    const signed = await signedBy("tenant-42", {
      "X-Client-Subject": "OU=tenant-7,O=Example,CN=payments-provider",
      "X-Client-Verify": "SUCCESS",
      "X-Forwarded-For": "198.51.100.7",
    });
    const reply = await send({
      port: strictPort,
      ...signed,
      tls: { ca: pki.ca, cert: pki.producer.cert, key: pki.producer.key },
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json()).toMatchObject({ tenant: "tenant-42", clientIp: "127.0.0.1" });
    expect(app.seen.at(-1)?.headers["x-client-subject"]).toBe(NGINX_SUBJECT);
    expect(app.seen.at(-1)?.headers["x-forwarded-for"]).toBe("198.51.100.7, 127.0.0.1");
  });

  it.each([
    ["no client certificate", undefined],
    ["a certificate from another CA", "otherCa"],
    ["an expired certificate", "expired"],
  ] as const)("with ssl_verify_client on, nginx itself refuses %s: the app never sees it", async (_label, which) => {
    app.verifier = verifier();
    const before = app.seen.length;
    const signed = await signedBy("tenant-42");
    const client = which === undefined ? {} : { cert: pki[which].cert, key: pki[which].key };
    const reply = await send({ port: strictPort, ...signed, tls: { ca: pki.ca, ...client } }).catch(
      (error: unknown) => error,
    );
    // TLS 1.3 sends the client certificate after the server's Finished: nginx answers 400 over the
    // finished handshake (or the connection drops); either way nothing is forwarded.
    if (reply instanceof Error) expect(reply.message).toMatch(/socket|ECONNRESET|alert|certificate/i);
    else expect((reply as { status: number }).status).toBe(400);
    expect(app.seen.length).toBe(before);
  });

  it.each([
    { label: "no client certificate", which: undefined, status: 401, code: "client_certificate_required" },
    { label: "a certificate from another CA", which: "otherCa", status: 401, code: "client_certificate_invalid" },
  ] as const)(
    "with ssl_verify_client optional_no_ca, the app refuses $label with $code",
    async ({ which, status, code }) => {
      app.verifier = verifier();
      const signed = await signedBy("tenant-42");
      const client = which === undefined ? {} : { cert: pki[which].cert, key: pki[which].key };
      const reply = await send({ port: optionalPort, ...signed, tls: { ca: pki.ca, ...client } });
      expect(reply.status, reply.text).toBe(status);
      expect(reply.json()).toMatchObject({ code });
    },
  );

  it("with optional_no_ca, nginx still refuses an expired certificate itself", async () => {
    const before = app.seen.length;
    const signed = await signedBy("tenant-42");
    const reply = await send({
      port: optionalPort,
      ...signed,
      tls: { ca: pki.ca, cert: pki.expired.cert, key: pki.expired.key },
    });
    expect(reply.status).toBe(400);
    expect(app.seen.length).toBe(before);
  });

  it("checks the forwarded certificate's expiry itself and reports the days left", async () => {
    const DAY = 24 * 60 * 60 * 1000;
    for (const [daysAhead, expected] of [
      [80, { status: 200, daysUntilExpiry: 9 }],
      [91, { status: 401, code: "client_certificate_expired" }],
    ] as const) {
      const now = Date.now() + daysAhead * DAY;
      app.verifier = verifier({ now: () => now });
      const body = JSON.stringify({ n: ++messages });
      const headers = await standardWebhooks({ secret: secrets["tenant-42"] as string }).sign({
        id: `msg_${messages}`,
        timestamp: new Date(now),
        body,
      });
      const reply = await send({
        port: strictPort,
        headers,
        body,
        tls: { ca: pki.ca, cert: pki.producer.cert, key: pki.producer.key },
      });
      expect(reply.status, reply.text).toBe(expected.status);
      expect(reply.json()).toMatchObject(
        "code" in expected ? { code: expected.code } : { daysUntilExpiry: expected.daysUntilExpiry },
      );
    }
  });

  it("refuses a request sent straight to the app port with forged X-Client-* headers", async () => {
    app.verifier = verifier();
    const forged = {
      "X-Client-Verify": "SUCCESS",
      "X-Client-Subject": NGINX_SUBJECT,
      "X-Client-Cert": encodeURIComponent(pki.producer.cert),
    };
    const signed = await signedBy("tenant-42", forged);
    const reply = await send({ port: app.port, ...signed });
    expect(app.seen.at(-1)?.remoteAddress).toBe("127.0.0.1");
    expect(reply.status).toBe(403);
    expect(reply.json()).toMatchObject({ code: "untrusted_proxy" });
    // and without the headers, straight to the app, there is no certificate at all
    const bare = await send({ port: app.port, ...(await signedBy("tenant-42")) });
    expect(bare.json()).toMatchObject({ code: "client_certificate_required" });
  });

  it("disables tenant-42 at once, without restarting anything", async () => {
    const { createTenantDirectory } = await import("../../src/identity/tenants.js");
    const tenants = createTenantDirectory([{ tenant: "tenant-42", subject: PRODUCER_SUBJECT }]);
    app.verifier = verifier({ identity: { tenants } });
    const deliver = async () =>
      send({
        port: strictPort,
        ...(await signedBy("tenant-42")),
        tls: { ca: pki.ca, cert: pki.producer.cert, key: pki.producer.key },
      });
    expect((await deliver()).status).toBe(200);
    tenants.disable("tenant-42");
    const refused = await deliver();
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ code: "tenant_disabled" });
    tenants.enable("tenant-42");
    expect((await deliver()).status).toBe(200);
  });
});
