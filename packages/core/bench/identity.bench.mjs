// Issue 4 benchmark: what the access step costs per request, against the same
// verifier without it, in the same run.
//   baseline            createVerifier({ scheme }).verifyParts(...)        signature, freshness, replay
//   + allowlist         allowlist + trustedProxies + X-Forwarded-For        CIDR matching (ipaddr.js)
//   + proxy subject     identity from X-Client-Verify/X-Client-Subject      DN canonicalisation, tenant rule
//   + proxy certificate + X-Client-Cert (nginx's escaped PEM)               URL-decode, base64, asn1js, SHA-256
//   + rate limit        + rateLimit by tenant (RateLimiterMemory)
//   node:crypto X509    new X509Certificate(pem) alone, for scale
// Each contender verifies its own batch of distinct signed messages; contenders alternate,
// the median round is reported. Imports the built package: `pnpm --filter @hooksec/core build` first.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVerifier, standardWebhooks } from "@hooksec/core";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BATCH = Number(process.env.BENCH_BATCH ?? 1500);
const encoder = new TextEncoder();
const body = encoder.encode(JSON.stringify({ type: "invoice.paid", data: { id: "in_1", amount: 4200 } }));
const secret = `whsec_${btoa("identity-bench-secret-32-bytes!!")}`;
const scheme = standardWebhooks({ secret });

const dir = mkdtempSync(join(tmpdir(), "hooksec-identity-bench-"));
execFileSync(
  "openssl",
  [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    join(dir, "k.pem"),
    "-out",
    join(dir, "c.pem"),
    "-days",
    "90",
    "-subj",
    "/CN=payments-provider/O=Example/OU=tenant-42",
  ],
  { stdio: "ignore" },
);
const pem = readFileSync(join(dir, "c.pem"), "utf8");
rmSync(dir, { recursive: true, force: true });
const subject = "OU=tenant-42,O=Example,CN=payments-provider";
const tenants = [{ tenant: "tenant-42", subject: "/CN=payments-provider/O=Example/OU=tenant-42" }];
const proxy = { remoteAddress: "10.0.0.2" };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

let counter = 0;
async function batch(extraHeaders) {
  const out = [];
  for (let i = 0; i < BATCH; i++) {
    const id = `msg_${++counter}`;
    const headers = await scheme.sign({ id, timestamp: new Date(), body });
    out.push({
      method: "POST",
      url: "https://r.test/",
      headers: { ...headers, ...extraHeaders },
      body,
      connection: proxy,
    });
  }
  return out;
}

const contenders = [
  { name: "baseline (no access step)", verifier: createVerifier({ scheme }), headers: {} },
  {
    name: "+ allowlist, trusted proxy, XFF",
    verifier: createVerifier({
      scheme,
      trustedProxies: ["10.0.0.0/24"],
      allowlist: ["198.51.100.0/24", "2001:db8::/32"],
    }),
    headers: { "x-forwarded-for": "198.51.100.7, 10.0.0.9" },
  },
  {
    name: "+ proxy subject -> tenant",
    verifier: createVerifier({ scheme, trustedProxies: ["10.0.0.0/24"], identity: { tenants } }),
    headers: { "x-client-verify": "SUCCESS", "x-client-subject": subject },
  },
  {
    name: "+ proxy escaped certificate",
    verifier: createVerifier({ scheme, trustedProxies: ["10.0.0.0/24"], identity: { tenants } }),
    headers: { "x-client-verify": "SUCCESS", "x-client-subject": subject, "x-client-cert": encodeURIComponent(pem) },
  },
  {
    name: "+ rate limit per tenant",
    verifier: createVerifier({
      scheme,
      trustedProxies: ["10.0.0.0/24"],
      identity: { tenants },
      rateLimit: { points: 1e9, durationSeconds: 60 },
    }),
    headers: { "x-client-verify": "SUCCESS", "x-client-subject": subject, "x-client-cert": encodeURIComponent(pem) },
  },
];

const rates = contenders.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, contender] of contenders.entries()) {
    const inputs = await batch(contender.headers);
    globalThis.gc?.();
    const start = performance.now();
    for (const parts of inputs) await contender.verifier.verifyParts(parts);
    rates[index].push(BATCH / ((performance.now() - start) / 1000));
  }
}
const base = median(rates[0]);
console.log(`verifyParts, ${ROUNDS} rounds x ${BATCH} messages, median ops/s (ratio to the baseline):`);
for (const [index, contender] of contenders.entries()) {
  const rate = median(rates[index]);
  console.log(`  ${contender.name.padEnd(34)} ${rate.toFixed(0).padStart(8)} ops/s  ${(rate / base).toFixed(2)}x`);
}
const x509Start = performance.now();
for (let i = 0; i < BATCH; i++) new X509Certificate(pem);
console.log(
  `  ${"node:crypto X509Certificate alone".padEnd(34)} ${(BATCH / ((performance.now() - x509Start) / 1000)).toFixed(0).padStart(8)} ops/s  (for scale)`,
);
