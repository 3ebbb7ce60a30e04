// The end-to-end scenarios every example receiver passes, run against the real
// app on loopback: over plain HTTP, with Node terminating mTLS, and behind a
// real nginx terminating mTLS. An example's test file calls
// `describeReceiver({...})` with its own `start`.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Reply, randomSecret, send, signed } from "./client.js";
import { freePort } from "./net.js";
import { fillTemplate, type Nginx, startNginx } from "./nginx.js";
import { createPki, type KeyPair } from "./pki.js";
import { findNginx, hasOpenssl, requireBinaries } from "./requirements.js";

/** What the example's start function is given (a subset of every example's own options). */
export interface ReceiverOptions {
  readonly secret?: string;
  readonly tenantSecrets?: Readonly<Record<string, string>>;
  readonly tenants?: readonly { readonly tenant: string; readonly subject: string }[];
  readonly trustedProxies?: readonly string[];
  readonly maxBodyBytes?: number;
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca?: string };
}

/** A started example: its URL and port, what its handler processed, and how to stop it. */
export interface RunningReceiver {
  readonly url: string;
  readonly port: number;
  readonly inbox: { readonly processed: readonly { readonly id: string; readonly tenant?: string | undefined }[] };
  close(): Promise<void>;
}

export interface ReceiverSuiteOptions {
  /** "the Koa example": the start of every describe title. */
  readonly name: string;
  /** Starts the example on a free loopback port; it receives on `POST /webhooks`, lists on `GET /events`. */
  start(options: ReceiverOptions): Promise<RunningReceiver>;
  /** A payload the example's handler fails on at its first delivery (the sender's retry then succeeds). */
  readonly failOncePayload: unknown;
  /** The classic mistake, made on purpose: a webhook route whose body was read (parsed) before verification. */
  readonly misconfigured: {
    /** How it was made, ending the test title: "when a body parser runs first". */
    readonly title: string;
    start(secret: string): Promise<{ readonly receiver: RunningReceiver; readonly path: string }>;
  };
  /** nginx.conf template with {{DIR}}, {{PORT}}, {{APP_PORT}}, {{SERVER_CERT}}, {{SERVER_KEY}}, {{CA_CERT}}. */
  readonly nginxTemplate: URL;
}

type Delivery = { readonly headers: Record<string, string>; readonly body: string };

const ACME = { tenant: "acme", subject: "/CN=acme-sender/O=Acme/OU=acme" } as const;
const GLOBEX = { tenant: "globex", subject: "/CN=globex-sender/O=Globex/OU=globex" } as const;
/** Certificate headers as nginx would set them for acme, sent by a client instead. */
const FORGED = { "x-client-verify": "SUCCESS", "x-client-subject": "OU=acme,O=Acme,CN=acme-sender" } as const;

export function describeReceiver(options: ReceiverSuiteOptions): void {
  const { name, start } = options;
  const openssl = requireBinaries(`${name}'s mTLS tests`, { openssl: hasOpenssl() });
  const nginx = findNginx();
  const behindNginx = requireBinaries(`${name} behind nginx`, { nginx, openssl: hasOpenssl() });

  describe(`${name} over plain HTTP`, () => {
    const secret = randomSecret();
    let example: RunningReceiver;
    let misconfigured: { receiver: RunningReceiver; path: string };

    beforeAll(async () => {
      example = await start({ secret, maxBodyBytes: 64 * 1024 });
      misconfigured = await options.misconfigured.start(secret);
    });
    afterAll(async () => {
      await example?.close();
      await misconfigured?.receiver.close();
    });

    const deliver = (sent: Delivery) => send(`${example.url}/webhooks`, { headers: sent.headers, body: sent.body });
    const processedIds = () => example.inbox.processed.map((event) => event.id);

    it("processes a valid delivery once", async () => {
      const sent = signed(secret, { type: "invoice.paid", amount: 42 });
      expect((await deliver(sent)).status).toBe(204);
      expect(processedIds().filter((id) => id === sent.id)).toHaveLength(1);
      const listed = await send(`${example.url}/events`, { method: "GET" });
      expect(listed.body).toContainEqual({ id: sent.id, type: "invoice.paid", keyId: expect.any(String) });
    });

    it("refuses a tampered body with 401 invalid_signature", async () => {
      const sent = signed(secret, { type: "invoice.paid", amount: 42 });
      const reply = await deliver({ ...sent, body: sent.body.replace("42", "4200") });
      expectRefused(reply, 401, "invalid_signature");
      expect(processedIds()).not.toContain(sent.id);
    });

    it("refuses a stale delivery with timestamp_too_old", async () => {
      const sent = signed(secret, { type: "invoice.paid" }, { timestamp: new Date(Date.now() - 10 * 60_000) });
      expectRefused(await deliver(sent), 401, "timestamp_too_old");
      expect(processedIds()).not.toContain(sent.id);
    });

    it("acknowledges a duplicate with 200 and does not process it twice", async () => {
      const sent = signed(secret, { type: "invoice.paid" });
      expect((await deliver(sent)).status).toBe(204);
      const again = await deliver(sent);
      expect(again.status).toBe(200);
      expect(again.body.duplicate).toBe(true);
      expect(processedIds().filter((id) => id === sent.id)).toHaveLength(1);
    });

    it("processes the retry once after the handler failed", async () => {
      const sent = signed(secret, options.failOncePayload);
      expect((await deliver(sent)).status).toBe(500);
      expect(processedIds()).not.toContain(sent.id);
      expect((await deliver(sent)).status).toBe(204);
      expect((await deliver(sent)).status).toBe(200);
      expect(processedIds().filter((id) => id === sent.id)).toHaveLength(1);
    });

    it("refuses an oversize body with 413 body_too_large", async () => {
      const sent = signed(secret, { type: "big", data: "x".repeat(100 * 1024) });
      expectRefused(await deliver(sent), 413, "body_too_large");
    });

    it(`fails with a 500 through the framework's error path ${options.misconfigured.title}, never processing a re-serialised body`, async () => {
      // body_already_consumed is a setup mistake: the framework logs it (its message
      // says how to mount the route); the wire gets nothing but a 500.
      const sent = signed(secret, { type: "invoice.paid" });
      const reply = await send(`${misconfigured.receiver.url}${misconfigured.path}`, {
        headers: sent.headers,
        body: sent.body,
      });
      expect(reply.status).toBe(500);
      expect(reply.text).not.toMatch(/bodyParser|mount|parse:/i);
      expect(misconfigured.receiver.inbox.processed).toHaveLength(0);
    });
  });

  describe.runIf(openssl)(`${name} with Node terminating mTLS`, () => {
    const secrets = { acme: randomSecret(), globex: randomSecret() };
    let certs: ExamplePki;
    let example: RunningReceiver;

    beforeAll(async () => {
      certs = examplePki();
      const { server, ca } = certs;
      example = await start({
        tenantSecrets: secrets,
        tenants: [ACME, GLOBEX],
        tls: { key: server.key, cert: server.cert, ca },
      });
    });
    afterAll(async () => {
      await example?.close();
      certs?.pki.cleanup();
    });

    const deliver = (sent: Delivery, client?: KeyPair, extra: Record<string, string> = {}) =>
      send(`${example.url}/webhooks`, {
        headers: { ...sent.headers, ...extra },
        body: sent.body,
        ca: certs.ca,
        key: client?.key,
        cert: client?.cert,
      });
    const order = (secret: string) => signed(secret, { type: "order.created" });

    it("accepts a delivery signed with the tenant's secret over its client certificate", async () => {
      const sent = order(secrets.acme);
      expect((await deliver(sent, certs.acme)).status).toBe(204);
      expect(example.inbox.processed).toContainEqual(expect.objectContaining({ id: sent.id, tenant: "acme" }));
    });

    it("refuses a delivery without a client certificate: client_certificate_required", async () => {
      expectRefused(await deliver(order(secrets.acme)), 401, "client_certificate_required");
    });

    it("refuses a certificate from another CA: client_certificate_invalid", async () => {
      expectRefused(await deliver(order(secrets.acme), certs.foreign), 401, "client_certificate_invalid");
    });

    it("refuses a certificate that maps to no tenant: unknown_tenant", async () => {
      expectRefused(await deliver(order(secrets.acme), certs.stranger), 403, "unknown_tenant");
    });

    it("refuses one tenant's certificate with another tenant's signature: invalid_signature", async () => {
      expectRefused(await deliver(order(secrets.acme), certs.globex), 401, "invalid_signature");
    });

    it("refuses forged proxy headers from a peer that is no trusted proxy: untrusted_proxy", async () => {
      expectRefused(await deliver(order(secrets.acme), undefined, FORGED), 403, "untrusted_proxy");
    });
  });

  describe.runIf(behindNginx)(`${name} behind nginx terminating mTLS`, () => {
    const secrets = { acme: randomSecret() };
    let certs: ExamplePki;
    let app: RunningReceiver;
    let proxy: Nginx;
    let url: string;

    beforeAll(async () => {
      certs = examplePki();
      // The app listens on plain HTTP on loopback and believes only nginx's headers.
      app = await start({ tenantSecrets: secrets, tenants: [ACME], trustedProxies: ["127.0.0.1"] });
      const port = await freePort();
      const dir = join(certs.pki.dir, "nginx");
      mkdirSync(dir);
      const config = fillTemplate(readFileSync(options.nginxTemplate, "utf8"), {
        DIR: dir,
        PORT: port,
        APP_PORT: app.port,
        SERVER_CERT: certs.server.certPath,
        SERVER_KEY: certs.server.keyPath,
        CA_CERT: certs.authority.certPath,
      });
      proxy = await startNginx({ binary: nginx as string, dir, config, ports: [port] });
      url = `https://127.0.0.1:${port}`;
    });
    afterAll(async () => {
      await proxy?.stop();
      await app?.close();
      certs?.pki.cleanup();
    });

    it("accepts a delivery whose client certificate nginx verified, with the tenant from its headers", async () => {
      const sent = signed(secrets.acme, { type: "order.created" });
      const reply = await send(`${url}/webhooks`, {
        headers: sent.headers,
        body: sent.body,
        ca: certs.ca,
        key: certs.acme.key,
        cert: certs.acme.cert,
      });
      expect(reply.status).toBe(204);
      expect(app.inbox.processed).toContainEqual(expect.objectContaining({ id: sent.id, tenant: "acme" }));
    });

    it("refuses a delivery without a client certificate: client_certificate_required", async () => {
      const sent = signed(secrets.acme, { type: "order.created" });
      expectRefused(
        await send(`${url}/webhooks`, { headers: sent.headers, body: sent.body, ca: certs.ca }),
        401,
        "client_certificate_required",
      );
    });

    it("ignores certificate headers a client forges through nginx (nginx overwrites them)", async () => {
      const sent = signed(secrets.acme, { type: "order.created" });
      const reply = await send(`${url}/webhooks`, {
        headers: { ...sent.headers, ...FORGED },
        body: sent.body,
        ca: certs.ca,
      });
      expectRefused(reply, 401, "client_certificate_required");
    });

    it("refuses the same forged headers sent to the app directly, past nginx: untrusted_proxy", async () => {
      // The app trusts 127.0.0.1; a direct caller from another address would get untrusted_proxy.
      // On loopback every caller is 127.0.0.1, so this checks the app with a proxy list that excludes it.
      const direct = await start({ tenantSecrets: secrets, tenants: [ACME], trustedProxies: ["10.0.0.1"] });
      try {
        const sent = signed(secrets.acme, { type: "order.created" });
        const reply = await send(`${direct.url}/webhooks`, {
          headers: { ...sent.headers, ...FORGED },
          body: sent.body,
        });
        expectRefused(reply, 403, "untrusted_proxy");
      } finally {
        await direct.close();
      }
    });
  });
}

type ExamplePki = ReturnType<typeof examplePki>;

/** The example CA with a server certificate and acme's, globex's and a stranger's client certificates; acme's subject also from another CA. */
function examplePki() {
  const pki = createPki("hooksec-example-pki-");
  const authority = pki.createAuthority("example CA");
  return {
    pki,
    authority,
    ca: authority.cert,
    server: authority.issueServer("server"),
    acme: authority.issueClient("acme", ACME.subject),
    globex: authority.issueClient("globex", GLOBEX.subject),
    stranger: authority.issueClient("stranger", "/CN=stranger/O=Nobody"),
    foreign: pki.createAuthority("another CA").issueClient("foreign", ACME.subject),
  };
}

/** The status and the error code of a refusal. */
function expectRefused(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.body.error?.code).toBe(code);
}
