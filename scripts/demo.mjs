// `pnpm demo`: starts the Koa example on loopback with Node terminating mTLS
// and Standard Webhooks signatures, plays legitimate deliveries and attacks
// against it, and prints what was accepted and refused, and why.
// Certificates are made now with openssl into a temporary folder; without
// openssl the signature scenarios run over plain HTTP and the mTLS ones are skipped.
// Exits non-zero when any outcome differs from what the scenario expects.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

const { createDevPki, hasOpenssl, start } = await import(new URL("../examples/koa/dist/index.js", import.meta.url).href);
const { standardWebhooks } = await import(new URL("../packages/koa/dist/index.js", import.meta.url).href);
const core = await import(new URL("../packages/core/dist/index.js", import.meta.url).href);

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = (text) => paint(32, text);
const red = (text) => paint(31, text);
const dim = (text) => paint(2, text);
const bold = (text) => paint(1, text);

const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`;
const secrets = { acme: newSecret(), globex: newSecret() };
const MAX_BODY_BYTES = 64 * 1024;
const MINUTE = 60_000;

const mtls = hasOpenssl();
const pki = mtls ? createDevPki() : undefined;
const certs = {};
let server;
const events = [];
const onEvent = (event) => events.push(event);

if (mtls) {
  const ca = pki.createAuthority("hooksec demo CA");
  certs.ca = ca.cert;
  certs.acme = ca.issueClient("acme", "/CN=acme-sender/O=Acme/OU=acme");
  certs.globex = ca.issueClient("globex", "/CN=globex-sender/O=Globex/OU=globex");
  certs.stranger = ca.issueClient("stranger", "/CN=stranger/O=Nobody");
  // Same name as acme's certificate, issued by a CA the server does not trust.
  certs.impostor = pki.createAuthority("rogue CA").issueClient("impostor", "/CN=acme-sender/O=Acme/OU=acme");
  const tls = ca.issueServer("server");
  server = await start({
    tenantSecrets: secrets,
    tenants: [
      { tenant: "acme", subject: "/CN=acme-sender/O=Acme/OU=acme" },
      { tenant: "globex", subject: "/CN=globex-sender/O=Globex/OU=globex" },
    ],
    tls: { key: tls.key, cert: tls.cert, ca: ca.cert },
    maxBodyBytes: MAX_BODY_BYTES,
    onEvent,
  });
} else {
  console.log(dim("openssl was not found: the mTLS scenarios are skipped, the signatures are checked over plain HTTP.\n"));
  server = await start({ secret: secrets.acme, maxBodyBytes: MAX_BODY_BYTES, onEvent });
}

function send({ headers, body, client }) {
  const secure = server.url.startsWith("https:");
  const request = secure ? httpsRequest : httpRequest;
  const tls = secure ? { ca: certs.ca, key: client?.key, cert: client?.cert } : {};
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/webhooks`,
      { method: "POST", headers: { "content-type": "application/json", ...headers }, agent: false, ...tls },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body = {};
          try {
            body = text === "" ? {} : JSON.parse(text);
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode, body });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let counter = 0;
async function sign(tenant, payload, { timestamp = new Date(), id, secret } = {}) {
  const messageId = id ?? `msg_demo_${++counter}`;
  const body = JSON.stringify(payload);
  const headers = await standardWebhooks({ secret: secret ?? secrets[tenant] }).sign({ id: messageId, timestamp, body });
  return { id: messageId, headers, body };
}

const first = await sign("acme", { type: "invoice.paid", amount: 4200 });
const flaky = await sign("acme", { type: "demo.fail_once" });

/** Each scenario: what is sent, what must come back, and why. */
const scenarios = [
  {
    name: "acme delivers invoice.paid",
    expect: { status: 204, outcome: "accepted" },
    why: mtls ? "valid certificate → tenant acme, signed with acme's key, fresh, first time" : "signed with the key, fresh, first time",
    run: () => send({ ...first, client: certs.acme }),
  },
  {
    name: "globex delivers order.created",
    mtls: true,
    expect: { status: 204, outcome: "accepted" },
    why: "valid certificate → tenant globex, signed with globex's key",
    run: async () => send({ ...(await sign("globex", { type: "order.created" })), client: certs.globex }),
  },
  {
    name: "replay of acme's delivery",
    expect: { status: 200, outcome: "acknowledged" },
    why: "same signed id already processed: 200 so the sender stops, handler not run again",
    run: () => send({ ...first, client: certs.acme }),
  },
  {
    name: "tampered body (amount changed)",
    expect: { status: 401, code: "invalid_signature", outcome: "refused" },
    run: async () => {
      const sent = await sign("acme", { type: "invoice.paid", amount: 4200 });
      return send({ ...sent, body: sent.body.replace("4200", "9900"), client: certs.acme });
    },
  },
  {
    name: "stale timestamp (signed 10 minutes ago)",
    expect: { status: 401, code: "timestamp_too_old", outcome: "refused" },
    run: async () => send({ ...(await sign("acme", { type: "invoice.paid" }, { timestamp: new Date(Date.now() - 10 * MINUTE) })), client: certs.acme }),
  },
  {
    name: "timestamp 10 minutes in the future",
    expect: { status: 401, code: "timestamp_in_future", outcome: "refused" },
    run: async () => send({ ...(await sign("acme", { type: "invoice.paid" }, { timestamp: new Date(Date.now() + 10 * MINUTE) })), client: certs.acme }),
  },
  {
    name: "signed with a wrong secret",
    expect: { status: 401, code: "invalid_signature", outcome: "refused" },
    run: async () => send({ ...(await sign("acme", { type: "invoice.paid" }, { secret: newSecret() })), client: certs.acme }),
  },
  {
    name: "no client certificate",
    mtls: true,
    expect: { status: 401, code: "client_certificate_required", outcome: "refused" },
    run: async () => send(await sign("acme", { type: "invoice.paid" })),
  },
  {
    name: "acme's name on a certificate from a rogue CA",
    mtls: true,
    expect: { status: 401, code: "client_certificate_invalid", outcome: "refused" },
    run: async () => send({ ...(await sign("acme", { type: "invoice.paid" })), client: certs.impostor }),
  },
  {
    name: "forged proxy headers claiming acme",
    mtls: true,
    expect: { status: 403, code: "untrusted_proxy", outcome: "refused" },
    run: async () => {
      const sent = await sign("acme", { type: "invoice.paid" });
      const forged = { "x-client-verify": "SUCCESS", "x-client-subject": "OU=acme,O=Acme,CN=acme-sender" };
      return send({ ...sent, headers: { ...sent.headers, ...forged } });
    },
  },
  {
    name: "wrong tenant: globex's certificate, acme's signature",
    mtls: true,
    expect: { status: 401, code: "invalid_signature", outcome: "refused" },
    run: async () => send({ ...(await sign("acme", { type: "invoice.paid" })), client: certs.globex }),
  },
  {
    name: "trusted CA, but no tenant for the certificate",
    mtls: true,
    expect: { status: 403, code: "unknown_tenant", outcome: "refused" },
    run: async () => send({ ...(await sign("acme", { type: "invoice.paid" })), client: certs.stranger }),
  },
  {
    name: `body over ${MAX_BODY_BYTES / 1024} KiB`,
    expect: { status: 413, code: "body_too_large", outcome: "refused" },
    run: async () => send({ ...(await sign("acme", { type: "bulk", data: "x".repeat(MAX_BODY_BYTES) })), client: certs.acme }),
  },
  {
    name: "handler fails (simulated outage)",
    expect: { status: 500, outcome: "failed" },
    why: "the message is released so that the sender's retry is processed",
    run: () => send({ ...flaky, client: certs.acme }),
  },
  {
    name: "the sender retries it",
    expect: { status: 204, outcome: "accepted" },
    why: "processed once, now that the handler works",
    run: () => send({ ...flaky, client: certs.acme }),
  },
];

function outcomeOf(status) {
  if (status === 200) return "acknowledged";
  if (status >= 200 && status < 300) return "accepted";
  if (status >= 500 && status !== 503) return "failed";
  return "refused";
}

const rows = [];
let mismatches = 0;
for (const scenario of scenarios) {
  if (scenario.mtls && !mtls) continue;
  const before = events.length;
  let reply;
  try {
    reply = await scenario.run();
  } catch (error) {
    reply = { status: 0, body: { error: { code: `request failed: ${error.code ?? error.message}` } } };
  }
  const code = reply.body?.error?.code ?? "";
  const outcome = outcomeOf(reply.status);
  const ok =
    reply.status === scenario.expect.status && code === (scenario.expect.code ?? "") && outcome === scenario.expect.outcome;
  if (!ok) mismatches++;
  const event = events.slice(before).find((e) => e.type === "rejected");
  rows.push({
    ok,
    scenario: scenario.name,
    expected: `${scenario.expect.status} ${scenario.expect.outcome}`,
    status: String(reply.status),
    code: code || "-",
    outcome,
    why: event?.detail ?? scenario.why ?? "",
  });
}

const processed = server.inbox.processed;
await server.close();
pki?.cleanup();

// Part two: an encrypted payload end to end. The sender signs with its ES256 key
// (JWS) and then encrypts to the receiver's P-256 key (JWE); the receiver
// decrypts and checks the signature against the sender's published key. Encryption
// alone proves nothing: a JWE made by anyone with the receiver's public key but
// signed with another key is refused.
const jweRows = await playJweDelivery();
for (const row of jweRows) if (!row.ok) mismatches++;

async function playJweDelivery() {
  const { createSender, createVerifier, jwe, jws } = core;
  const ecKeyPair = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = (key, kid) => ({ ...key.export({ format: "jwk" }), kid });
  const senderKeys = ecKeyPair();
  const receiverKeys = ecKeyPair();
  const attackerKeys = ecKeyPair();
  const verifier = createVerifier({
    scheme: jwe({
      privateKey: jwk(receiverKeys.privateKey, "receiver-1"),
      alg: "ECDH-ES+A256KW",
      inner: jws({ jwks: { keys: [jwk(senderKeys.publicKey, "sender-1")] }, algorithms: ["ES256"] }),
    }),
  });
  const received = [];
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      try {
        const webhook = await verifier.verifyParts({
          method: req.method ?? "POST",
          url: `http://127.0.0.1${req.url}`,
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        if (!webhook.duplicate) {
          received.push(webhook.json());
          await webhook.complete(); // remembered: a later delivery of it is a duplicate
        }
        res.writeHead(204).end();
      } catch (error) {
        res.writeHead(error.status ?? 500, { "content-type": "application/json" }).end(JSON.stringify(error.toJSON?.() ?? {}));
      }
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${receiver.address().port}/webhooks`;
  const encrypting = (signingKey, kid) =>
    jwe({
      publicKey: jwk(receiverKeys.publicKey, "receiver-1"),
      alg: "ECDH-ES+A256KW",
      inner: jws({ privateKey: jwk(signingKey, kid), alg: "ES256", kid }),
    });
  // Loopback over plain HTTP is opted into explicitly: by default the sender refuses both.
  const senderFor = (scheme) => createSender({ scheme, ssrf: { allowHttp: true, allowCidrs: ["127.0.0.0/8"] } });
  const post = async (scheme, payload, mutate = (body) => body) => {
    const { headers, body } = await scheme.encode({ id: `msg_${randomBytes(6).toString("hex")}`, timestamp: new Date(), body: JSON.stringify(payload) });
    const response = await fetch(url, { method: "POST", headers, body: mutate(body) });
    const text = await response.text();
    return { status: response.status, code: text ? (JSON.parse(text).error?.code ?? "") : "" };
  };

  const rows = [];
  const delivery = await senderFor(encrypting(senderKeys.privateKey, "sender-1")).send({ url }, { type: "payout.sent", amount: 1200 });
  rows.push({
    ok: delivery.status === "delivered" && received.length === 1 && received[0].type === "payout.sent",
    scenario: "sender delivers a signed, then encrypted payload",
    expected: "delivered",
    result: `${delivery.status} after ${delivery.attempts} attempt(s), receiver read ${JSON.stringify(received[0] ?? null)}`,
  });
  const forged = await post(encrypting(attackerKeys.privateKey, "sender-1"), { type: "payout.sent", amount: 999999 });
  rows.push({
    ok: forged.status === 401 && forged.code === "invalid_signature",
    scenario: "encrypted to us, but signed with another key",
    expected: "401 invalid_signature",
    result: `${forged.status} ${forged.code}`,
  });
  const tampered = await post(encrypting(senderKeys.privateKey, "sender-1"), { type: "payout.sent" }, (body) => {
    const parts = String(body).split(".");
    parts[3] = parts[3].startsWith("A") ? `B${parts[3].slice(1)}` : `A${parts[3].slice(1)}`;
    return parts.join(".");
  });
  rows.push({
    ok: tampered.status === 400 && tampered.code === "decryption_failed",
    scenario: "ciphertext changed in transit",
    expected: "400 decryption_failed",
    result: `${tampered.status} ${tampered.code}`,
  });
  await new Promise((resolve) => receiver.close(resolve));
  return rows;
}

const columns = [
  ["", (row) => (row.ok ? "✓" : "✗")],
  ["scenario", (row) => row.scenario],
  ["expected", (row) => row.expected],
  ["HTTP", (row) => row.status],
  ["code", (row) => row.code],
  ["result", (row) => row.outcome],
  ["why", (row) => row.why],
];
const plain = (row) => columns.map(([, get]) => get(row));
const widths = columns.map(([title], index) => Math.max(title.length, ...rows.map((row) => plain(row)[index].length)));
const line = (cells) => cells.map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]))).join("  ");

console.log(bold(`hooksec demo: the Koa example on ${server.url} (${mtls ? "Node terminating mTLS + " : ""}Standard Webhooks signatures)\n`));
console.log(bold(line(columns.map(([title]) => title))));
for (const row of rows) {
  const cells = plain(row);
  cells[0] = row.ok ? green("✓") : red("✗");
  console.log(line(cells));
}
const ids = processed.map((event) => event.id);
const once = ids.length === new Set(ids).size;
console.log(
  `\nprocessed by the handler: ${processed.length} event(s) ${once ? "(each exactly once)" : red("(some more than once!)")}: ${processed
    .map((event) => `${event.type}${event.tenant ? ` from ${event.tenant}` : ""}`)
    .join(", ")}`,
);
console.log(bold("\nJWE: a signed (ES256), then encrypted (ECDH-ES+A256KW, A256GCM) payload through createSender\n"));
for (const row of jweRows) {
  console.log(`${row.ok ? green("✓") : red("✗")}  ${row.scenario.padEnd(50)}  ${row.expected.padEnd(22)}  ${row.result}`);
}
const expectedProcessed = mtls ? 3 : 2;
if (!once || processed.length !== expectedProcessed) mismatches++;
if (mismatches > 0) {
  console.log(red(`\n${mismatches} outcome(s) differ from what was expected.`));
  process.exit(1);
}
console.log(green(`\nall ${rows.length + jweRows.length} scenarios behaved as expected.`));
