import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevPki, type KeyPair, createDevPki, hasOpenssl } from "../../koa/src/dev-certificates.js";
import { randomSecret, send, signed } from "../../koa/test/client.js";
import { type RunningExample, start } from "../src/index.js";

const nginx = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));
const available = nginx !== undefined && hasOpenssl();
if (!available && process.env.CI === "true") throw new Error("nginx and openssl are required for the nginx example test under CI");
if (!available) console.warn("skipping the Hapi example behind nginx: nginx or openssl is not installed");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

async function waitForPort(url: string, ca: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await send(`${url}/healthz`, { method: "GET", ca });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nginx did not answer on ${url}`);
}

describe.runIf(available)("the Hapi example behind nginx terminating mTLS", () => {
  let pki: DevPki;
  let app: RunningExample;
  let proxy: ChildProcess;
  let url: string;
  let ca: string;
  let acme: KeyPair;
  const secrets = { acme: randomSecret() };

  beforeAll(async () => {
    pki = createDevPki();
    const authority = pki.createAuthority("example CA");
    ca = authority.cert;
    acme = authority.issueClient("acme", "/CN=acme-sender/O=Acme/OU=acme");
    const server = authority.issueServer("nginx");
    // The app listens on plain HTTP on loopback and believes only nginx's headers.
    app = await start({
      tenantSecrets: secrets,
      tenants: [{ tenant: "acme", subject: "/CN=acme-sender/O=Acme/OU=acme" }],
      trustedProxies: ["127.0.0.1"],
    });
    const port = await freePort();
    const dir = join(pki.dir, "nginx");
    mkdirSync(dir);
    const template = readFileSync(new URL("../../koa/nginx/mtls-proxy.conf", import.meta.url), "utf8");
    const config = template
      .replaceAll("{{DIR}}", dir)
      .replaceAll("{{PORT}}", String(port))
      .replaceAll("{{APP_PORT}}", String(app.port))
      .replaceAll("{{SERVER_CERT}}", server.certFile)
      .replaceAll("{{SERVER_KEY}}", server.keyFile)
      .replaceAll("{{CA_CERT}}", authority.certFile);
    writeFileSync(join(dir, "nginx.conf"), config);
    proxy = spawn(nginx as string, ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: "ignore" });
    url = `https://127.0.0.1:${port}`;
    await waitForPort(url, ca);
  });

  afterAll(async () => {
    proxy?.kill("SIGTERM");
    await app?.close();
    pki?.cleanup();
  });

  it("accepts a delivery whose client certificate nginx verified, with the tenant from its headers", async () => {
    const sent = await signed(secrets.acme, { type: "order.created" });
    const reply = await send(`${url}/webhooks`, { headers: sent.headers, body: sent.body, ca, key: acme.key, cert: acme.cert });
    expect(reply.status).toBe(204);
    expect(app.inbox.processed).toContainEqual(expect.objectContaining({ id: sent.id, tenant: "acme" }));
  });

  it("refuses a delivery without a client certificate: client_certificate_required", async () => {
    const sent = await signed(secrets.acme, { type: "order.created" });
    const reply = await send(`${url}/webhooks`, { headers: sent.headers, body: sent.body, ca });
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("client_certificate_required");
  });

  it("ignores certificate headers a client forges through nginx (nginx overwrites them)", async () => {
    const sent = await signed(secrets.acme, { type: "order.created" });
    const forged = { "x-client-verify": "SUCCESS", "x-client-subject": "OU=acme,O=Acme,CN=acme-sender" };
    const reply = await send(`${url}/webhooks`, { headers: { ...sent.headers, ...forged }, body: sent.body, ca });
    expect(reply.status).toBe(401);
    expect(reply.body.error?.code).toBe("client_certificate_required");
  });

  it("refuses the same forged headers sent to the app directly, past nginx: untrusted_proxy", async () => {
    // The app trusts 127.0.0.1; a direct caller from another address would get untrusted_proxy.
    // On loopback every caller is 127.0.0.1, so this checks the app with a proxy list that excludes it.
    const direct = await start({
      tenantSecrets: secrets,
      tenants: [{ tenant: "acme", subject: "/CN=acme-sender/O=Acme/OU=acme" }],
      trustedProxies: ["10.0.0.1"],
    });
    try {
      const sent = await signed(secrets.acme, { type: "order.created" });
      const forged = { "x-client-verify": "SUCCESS", "x-client-subject": "OU=acme,O=Acme,CN=acme-sender" };
      const reply = await send(`${direct.url}/webhooks`, { headers: { ...sent.headers, ...forged }, body: sent.body });
      expect(reply.status).toBe(403);
      expect(reply.body.error?.code).toBe("untrusted_proxy");
    } finally {
      await direct.close();
    }
  });
});
