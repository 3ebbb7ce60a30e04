// Issue 3 benchmark: asymmetric verification through hooksec against calling the
// primitives directly, in the same run.
//   Ed25519 (Standard Webhooks v1a)
//     hooksec scheme      standardWebhooks({ publicKey }).verify(...): header parsing, Ed25519 verify
//     hooksec verifier    createVerifier(...).verifyParts(...): + freshness and the replay claim
//     jose compactVerify  an EdDSA compact JWS over the same bytes, key imported once
//     node:crypto verify  one Ed25519 verification: the floor
//   JWS (ES256, payload = claims)
//     hooksec scheme      jws({ jwks, algorithms }).verify(...): header policy, JWKS lookup, jwtVerify, claims
//     hooksec verifier    + freshness from iat and the replay claim on jti
//     jose compactVerify  compactVerify(token, importedKey): the baseline the issue names
//     jose jwtVerify+JWKS jwtVerify(token, createLocalJWKSet(...)) as an application would call it
// Each contender verifies its own batch of distinct, freshly signed messages (replay
// protection is on in the verifier rows); contenders alternate and the median round is reported.
// Imports the built package: run `pnpm --filter @hooksec/core build` first.
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { createVerifier, jws, standardWebhooks } from "@hooksec/core";
import { CompactSign, compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BATCH = Number(process.env.BENCH_BATCH ?? 1500);
const encoder = new TextEncoder();
const body = encoder.encode(
  JSON.stringify({ type: "invoice.paid", data: { id: "in_1", amount: 4200, note: "x".repeat(400) } }),
);

function headerReader(record) {
  return (name) => record[name];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs each contender over its own prepared batch, alternating, and returns ops/s (median round). */
async function compare(contenders) {
  const rates = contenders.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, contender] of contenders.entries()) {
      const inputs = await contender.prepare(round);
      globalThis.gc?.();
      const started = performance.now();
      for (const input of inputs) await contender.run(input);
      rates[index].push(inputs.length / ((performance.now() - started) / 1000));
    }
  }
  const results = contenders.map((contender, index) => ({ name: contender.name, perSecond: median(rates[index]) }));
  const baseline = results.find((result) => result.name === contenders.baseline) ?? results[0];
  for (const { name, perSecond } of results) {
    const ratio = perSecond / baseline.perSecond;
    console.log(
      `  ${name.padEnd(28)} ${Math.round(perSecond).toLocaleString("en-US").padStart(9)} ops/s   ${ratio.toFixed(2)}x ${baseline.name}`,
    );
  }
}

let sequence = 0;
const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---- Ed25519 / Standard Webhooks v1a ----
const { privateKey: edPrivate, publicKey: edPublic } = await generateKeyPair("EdDSA", {
  crv: "Ed25519",
  extractable: true,
});
const edJwk = await exportJWK(edPrivate);
const seed = Buffer.from(edJwk.d, "base64url");
const point = Buffer.from(edJwk.x, "base64url");
const whsk = `whsk_${Buffer.concat([seed, point]).toString("base64")}`;
const whpk = `whpk_${point.toString("base64")}`;
const v1aSender = standardWebhooks({ privateKey: whsk });
const v1aReceiver = standardWebhooks({ publicKey: whpk });
const v1aVerifier = createVerifier({ scheme: v1aReceiver });
const nodeEdPublic = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: edJwk.x }, format: "jwk" });

async function v1aBatch() {
  const out = [];
  for (let i = 0; i < BATCH; i++) {
    const id = `msg_${sequence++}`;
    const headers = await v1aSender.sign({ id, timestamp: new Date(), body });
    out.push(headers);
  }
  return out;
}

async function edJwsBatch() {
  const out = [];
  for (let i = 0; i < BATCH; i++)
    out.push(await new CompactSign(body).setProtectedHeader({ alg: "EdDSA" }).sign(edPrivate));
  return out;
}

console.log(
  `Ed25519 verification (Standard Webhooks v1a), ${body.length}-byte body, ${BATCH} messages x ${ROUNDS} rounds`,
);
const edContenders = [
  {
    name: "hooksec scheme (v1a)",
    prepare: v1aBatch,
    run: (headers) =>
      v1aReceiver.verify({
        method: "POST",
        url: "https://r.test/",
        header: headerReader(headers),
        body,
        tenant: undefined,
      }),
  },
  {
    name: "hooksec verifier (v1a)",
    prepare: v1aBatch,
    run: (headers) => v1aVerifier.verifyParts({ method: "POST", url: "https://r.test/", headers, body }),
  },
  { name: "jose compactVerify (EdDSA)", prepare: edJwsBatch, run: (token) => compactVerify(token, edPublic) },
  {
    name: "node:crypto verify",
    prepare: async () => {
      const out = [];
      for (let i = 0; i < BATCH; i++) {
        const headers = await v1aSender.sign({ id: `msg_${sequence++}`, timestamp: new Date(), body });
        const content = Buffer.concat([Buffer.from(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.`), body]);
        out.push([content, Buffer.from(headers["webhook-signature"].slice(4), "base64")]);
      }
      return out;
    },
    run: ([content, signature]) => {
      if (!nodeVerify(null, content, nodeEdPublic, signature)) throw new Error("bad signature");
    },
  },
];
edContenders.baseline = "jose compactVerify (EdDSA)";
await compare(edContenders);

// ---- JWS ES256 ----
const { privateKey: esPrivate, publicKey: esPublic } = await generateKeyPair("ES256", { extractable: true });
const esJwk = { ...(await exportJWK(esPublic)), kid: "bench-1" };
const jwks = { keys: [esJwk] };
const jwsSender = jws({ privateKey: esPrivate, alg: "ES256", kid: "bench-1" });
const jwsReceiver = jws({ jwks, algorithms: ["ES256"] });
const jwsVerifier = createVerifier({ scheme: jwsReceiver });
const localSet = createLocalJWKSet(jwks);
const claims = new TextDecoder().decode(body);

async function jwsBatch() {
  const out = [];
  for (let i = 0; i < BATCH; i++) {
    const { body: token } = await jwsSender.encode({
      id: `evt_${sequence++}`,
      timestamp: new Date(nowSeconds() * 1000),
      body: claims,
    });
    out.push(encoder.encode(token));
  }
  return out;
}

console.log(`\nJWS ES256 verification (claims payload), ${BATCH} messages x ${ROUNDS} rounds`);
const jwsContenders = [
  {
    name: "hooksec scheme (jws)",
    prepare: jwsBatch,
    run: (token) =>
      jwsReceiver.verify({
        method: "POST",
        url: "https://r.test/",
        header: () => undefined,
        body: token,
        tenant: undefined,
      }),
  },
  {
    name: "hooksec verifier (jws)",
    prepare: jwsBatch,
    run: (token) => jwsVerifier.verifyParts({ method: "POST", url: "https://r.test/", headers: {}, body: token }),
  },
  { name: "jose compactVerify", prepare: jwsBatch, run: (token) => compactVerify(token, esPublic) },
  {
    name: "jose jwtVerify + local JWKS",
    prepare: jwsBatch,
    run: (token) => jwtVerify(token, localSet, { algorithms: ["ES256"] }),
  },
];
jwsContenders.baseline = "jose compactVerify";
await compare(jwsContenders);
