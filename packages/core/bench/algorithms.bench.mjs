// Issue 13 benchmark: one signature mechanism for every algorithm, against the bare primitive.
// Per algorithm (HMAC-SHA256, Ed25519, ECDSA P-256, RSA-PSS 2048), 1 KB body, signed content
// `{timestamp}.{body}`, hex signature in a header:
//   hooksec verifier            createVerifier({ scheme: signatureScheme(...) }).verifyParts(...):
//                               header parsing, the signature, freshness, the replay claim (memory)
//   hooksec verifier, no replay the same with `replay: false`: what the signature path itself costs
//   node:crypto                 hex decode, the signed content built, one verify (HMAC: createHmac +
//                               timingSafeEqual), key object made once: the baseline (1.00x)
//   Web Crypto                  the same through crypto.subtle.verify, key imported once
// Target: the verifier >= 0.9x node:crypto. Each contender verifies its own batch of distinct,
// freshly signed messages; contenders alternate and the median round is reported. Ratios only
// mean something within one run (a loaded machine moves every row). Nothing here is asserted.
// Imports the built package: run `pnpm build` first.
import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  timingSafeEqual,
  webcrypto,
} from "node:crypto";
import { createVerifier, signatureScheme } from "@hooksec/core";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const BODY_BYTES = 1024;
const encoder = new TextEncoder();
const subtle = webcrypto.subtle;

let sequence = 0;
/** A distinct 1 KB JSON body (distinct, so the replay store sees new messages). */
function nextBody() {
  const head = `{"type":"invoice.paid","seq":${sequence++},"note":"`;
  return encoder.encode(`${head}${"x".repeat(BODY_BYTES - head.length - 2)}"}`);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const signedContent = (timestamp, body) => Buffer.concat([Buffer.from(`${timestamp}.`), body]);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function compare(title, contenders, baselineName) {
  const rates = contenders.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, contender] of contenders.entries()) {
      const inputs = await contender.prepare();
      globalThis.gc?.();
      const started = performance.now();
      for (const input of inputs) await contender.run(input);
      rates[index].push(inputs.length / ((performance.now() - started) / 1000));
    }
  }
  const results = contenders.map((contender, index) => ({ name: contender.name, perSecond: median(rates[index]) }));
  const baseline = results.find((result) => result.name === baselineName) ?? results[0];
  console.log(`\n${title}`);
  for (const { name, perSecond } of results) {
    console.log(
      `  ${name.padEnd(28)} ${Math.round(perSecond).toLocaleString("en-US").padStart(9)} ops/s   ${(perSecond / baseline.perSecond).toFixed(2)}x ${baseline.name}`,
    );
  }
}

const LAYOUT = {
  name: "bench",
  signatureHeader: "x-signature",
  encoding: "hex",
  timestampHeader: "x-timestamp",
  signedContent: "{timestamp}.{body}",
};

/**
 * One algorithm's four contenders. `signBare(content)` signs for the node:crypto row and
 * `signBareWeb` for the Web Crypto row (ECDSA: `r || s`, what subtle.verify takes);
 * `verifyNode(content, signature)` is the node:crypto call, `webVerify` the Web Crypto one.
 */
async function algorithm({ title, batch, sender, receiver, signBare, signBareWeb = signBare, verifyNode, webVerify }) {
  const verifier = createVerifier({ scheme: receiver });
  const signatureOnly = createVerifier({ scheme: receiver, replay: false });
  const hooksecBatch = async () => {
    const out = [];
    for (let i = 0; i < batch; i++) {
      const body = nextBody();
      out.push({ headers: await sender.sign({ id: "unused", timestamp: new Date(), body }), body });
    }
    return out;
  };
  const bareBatch = (forWeb) => async () => {
    const out = [];
    for (let i = 0; i < batch; i++) {
      const body = nextBody();
      const timestamp = String(nowSeconds());
      const signature = (forWeb ? signBareWeb : signBare)(signedContent(timestamp, body));
      out.push({ headers: { "x-signature": signature.toString("hex"), "x-timestamp": timestamp }, body });
    }
    return out;
  };
  await compare(
    `${title}, ${BODY_BYTES}-byte body, ${batch} messages x ${ROUNDS} rounds`,
    [
      {
        name: "hooksec verifier",
        prepare: hooksecBatch,
        run: ({ headers, body }) =>
          verifier.verifyParts({ method: "POST", url: "https://r.test/hooks", headers, body }),
      },
      {
        name: "hooksec verifier, no replay",
        prepare: hooksecBatch,
        run: ({ headers, body }) =>
          signatureOnly.verifyParts({ method: "POST", url: "https://r.test/hooks", headers, body }),
      },
      {
        name: "node:crypto",
        prepare: bareBatch(false),
        run: ({ headers, body }) => {
          if (!verifyNode(signedContent(headers["x-timestamp"], body), Buffer.from(headers["x-signature"], "hex")))
            throw new Error("bad signature");
        },
      },
      {
        name: "Web Crypto",
        prepare: bareBatch(true),
        run: async ({ headers, body }) => {
          if (
            !(await webVerify(signedContent(headers["x-timestamp"], body), Buffer.from(headers["x-signature"], "hex")))
          )
            throw new Error("bad signature");
        },
      },
    ],
    "node:crypto",
  );
}

// ---- HMAC-SHA256 ----
{
  const secret = "bench-only-hmac-secret-not-used-anywhere";
  const scheme = signatureScheme({ ...LAYOUT, algorithm: "hmac-sha256", secret });
  const key = Buffer.from(secret);
  const webKey = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  await algorithm({
    title: "HMAC-SHA256",
    batch: 4000 * SCALE,
    sender: scheme,
    receiver: scheme,
    signBare: (content) => createHmac("sha256", key).update(content).digest(),
    verifyNode: (content, signature) => {
      const expected = createHmac("sha256", key).update(content).digest();
      return signature.length === expected.length && timingSafeEqual(signature, expected);
    },
    webVerify: (content, signature) => subtle.verify("HMAC", webKey, signature, content),
  });
}

/** PEM pair, node KeyObjects and a Web Crypto public key for one asymmetric algorithm. */
async function keyPair(type, options, webAlgorithm) {
  const { privateKey, publicKey } = generateKeyPairSync(type, options);
  const privatePem = privateKey.export({ format: "pem", type: "pkcs8" });
  const publicPem = publicKey.export({ format: "pem", type: "spki" });
  const webKey = await subtle.importKey(
    "spki",
    publicKey.export({ format: "der", type: "spki" }),
    webAlgorithm,
    false,
    ["verify"],
  );
  return {
    privatePem,
    publicPem,
    privateKey: createPrivateKey(privatePem),
    publicKey: createPublicKey(publicPem),
    webKey,
  };
}

// ---- Ed25519 ----
{
  const keys = await keyPair("ed25519", undefined, { name: "Ed25519" });
  await algorithm({
    title: "Ed25519",
    batch: 2000 * SCALE,
    sender: signatureScheme({ ...LAYOUT, algorithm: "ed25519", privateKey: keys.privatePem }),
    receiver: signatureScheme({ ...LAYOUT, algorithm: "ed25519", publicKey: keys.publicPem }),
    signBare: (content) => nodeSign(null, content, keys.privateKey),
    verifyNode: (content, signature) => nodeVerify(null, content, keys.publicKey, signature),
    webVerify: (content, signature) => subtle.verify({ name: "Ed25519" }, keys.webKey, signature, content),
  });
}

// ---- ECDSA P-256 (DER signatures, as SendGrid and most SDKs write them) ----
{
  const keys = await keyPair("ec", { namedCurve: "P-256" }, { name: "ECDSA", namedCurve: "P-256" });
  await algorithm({
    title: "ECDSA P-256 / SHA-256 (DER)",
    batch: 1500 * SCALE,
    sender: signatureScheme({ ...LAYOUT, algorithm: "ecdsa-p256-sha256", privateKey: keys.privatePem }),
    receiver: signatureScheme({ ...LAYOUT, algorithm: "ecdsa-p256-sha256", publicKey: keys.publicPem }),
    signBare: (content) => nodeSign("sha256", content, keys.privateKey),
    // The Web Crypto row gets `r || s`: node signs that with dsaEncoding ieee-p1363.
    signBareWeb: (content) => nodeSign("sha256", content, { key: keys.privateKey, dsaEncoding: "ieee-p1363" }),
    verifyNode: (content, signature) => nodeVerify("sha256", content, keys.publicKey, signature),
    webVerify: (content, signature) =>
      subtle.verify({ name: "ECDSA", hash: "SHA-256" }, keys.webKey, signature, content),
  });
}

// ---- RSA-PSS 2048 (SHA-256, MGF1-SHA-256, salt 32) ----
{
  const keys = await keyPair("rsa", { modulusLength: 2048 }, { name: "RSA-PSS", hash: "SHA-256" });
  const pss = (key) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  await algorithm({
    title: "RSA-PSS 2048 / SHA-256, salt 32",
    batch: 600 * SCALE,
    sender: signatureScheme({ ...LAYOUT, algorithm: "rsa-pss-sha256", privateKey: keys.privatePem }),
    receiver: signatureScheme({ ...LAYOUT, algorithm: "rsa-pss-sha256", publicKey: keys.publicPem }),
    signBare: (content) => nodeSign("sha256", content, pss(keys.privateKey)),
    verifyNode: (content, signature) => nodeVerify("sha256", content, pss(keys.publicKey), signature),
    webVerify: (content, signature) =>
      subtle.verify({ name: "RSA-PSS", saltLength: 32 }, keys.webKey, signature, content),
  });
}
