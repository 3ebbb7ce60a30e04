// The behaviour battery: what the portable core must do in every runtime, with
// only that runtime's own Web APIs (crypto.subtle, Request, Response, streams).
// Every scenario reports what it observed as plain JSON; the vitest test in
// test/ asserts the outcomes, so a runtime cannot grade itself.
import {
  createReceiver,
  createVerifier,
  github,
  isWebhookError,
  jwe,
  jws,
  standardWebhooks,
  stripe,
  type ReceiveOutcome,
  type VerifiedWebhook,
  type WebhookScheme,
} from "@hooksec/core";

/** One scenario's observations: plain JSON, compared by the test. */
export type Observation = Record<string, unknown>;

export interface ScenarioResult {
  readonly name: string;
  readonly observed: Observation;
}

const URL_ = "https://receiver.test/webhooks";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64Url(text: string): Uint8Array {
  const padded = text.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A `whsec_` secret of 24 random bytes (HMAC secrets must be at least 16 bytes). */
function standardSecret(): string {
  return `whsec_${base64(randomBytes(24))}`;
}

/** The error code a promise rejects with, "accepted" when it resolves, "threw:<message>" for anything else. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (error) {
    if (isWebhookError(error)) return error.code;
    return `threw:${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

function post(headers: Record<string, string>, body: Uint8Array | string): Request {
  return new Request(URL_, { method: "POST", headers, body: typeof body === "string" ? body : new Uint8Array(body) });
}

/** A copy of `body` with one byte changed. */
function flipped(body: string): string {
  const index = Math.floor(body.length / 2);
  return body.slice(0, index) + (body[index] === "a" ? "b" : "a") + body.slice(index + 1);
}

/** Verifies a delivery through `createVerifier` (freshness, replay off) and reports what came out. */
async function verifyDelivery(
  scheme: WebhookScheme,
  headers: Record<string, string>,
  body: Uint8Array | string,
): Promise<Observation> {
  const verifier = createVerifier({ scheme, replay: false });
  try {
    const webhook = await verifier.verify(post(headers, body));
    return {
      verified: true,
      id: webhook.id,
      scheme: webhook.scheme,
      timestamped: webhook.timestamped,
      text: await webhook.text(),
    };
  } catch (error) {
    return { verified: false, code: isWebhookError(error) ? error.code : `threw:${String(error)}` };
  }
}

/** A fresh Ed25519 pair from the runtime's Web Crypto, as Standard Webhooks `whsk_` (seed + public key) and `whpk_`. */
async function ed25519Pair(): Promise<{ privateKey: string; publicKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const seed = fromBase64Url(jwk.d as string);
  const publicBytes = fromBase64Url(jwk.x as string);
  const both = new Uint8Array(64);
  both.set(seed);
  both.set(publicBytes, 32);
  return { privateKey: `whsk_${base64(both)}`, publicKey: `whpk_${base64(publicBytes)}` };
}

/** A key pair as JWKs from the runtime's Web Crypto, with a `kid`. */
async function jwkPair(
  algorithm: RsaHashedKeyGenParams | EcKeyGenParams,
  usages: KeyUsage[],
  kid: string,
  alg: string,
) {
  const pair = (await crypto.subtle.generateKey(algorithm, true, usages)) as CryptoKeyPair;
  const privateJwk = { ...(await crypto.subtle.exportKey("jwk", pair.privateKey)), kid, alg };
  const publicJwk = { ...(await crypto.subtle.exportKey("jwk", pair.publicKey)), kid, alg };
  // Web Crypto marks exported JWKs with key_ops for its own usages; drop them so the
  // public half is accepted for the opposite operation by jose.
  delete privateJwk.key_ops;
  delete publicJwk.key_ops;
  delete privateJwk.ext;
  delete publicJwk.ext;
  return { privateJwk, publicJwk };
}

/** The claims without `iat`, which is replaced by whether it equals the time of sending. */
function withoutIat(claims: Record<string, unknown>, sentAt: Date): Record<string, unknown> {
  const { iat, ...rest } = claims;
  return { ...rest, iatIsSendTime: iat === sentAt.getTime() / 1000 };
}

function now(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

type Scenario = () => Promise<Observation>;

const scenarios: Record<string, Scenario> = {
  async "standard-webhooks v1"() {
    const scheme = standardWebhooks({ secret: standardSecret() });
    const body = '{"type":"invoice.paid","amount":42}';
    const headers = await scheme.sign({ id: "msg_v1", timestamp: now(), body });
    return { signature: headers["webhook-signature"]?.split(",")[0], ...(await verifyDelivery(scheme, headers, body)) };
  },

  async "standard-webhooks v1 tampered"() {
    const scheme = standardWebhooks({ secret: standardSecret() });
    const body = '{"type":"invoice.paid","amount":42}';
    const headers = await scheme.sign({ id: "msg_v1t", timestamp: now(), body });
    const other = await standardWebhooks({ secret: standardSecret() }).sign({ id: "msg_v1t", timestamp: now(), body });
    return {
      body: (await verifyDelivery(scheme, headers, flipped(body))).code,
      id: (await verifyDelivery(scheme, { ...headers, "webhook-id": "msg_other" }, body)).code,
      otherKey: (await verifyDelivery(scheme, other, body)).code,
      stale: (
        await verifyDelivery(
          scheme,
          await scheme.sign({ id: "msg_old", timestamp: new Date(Date.now() - 3_600_000), body }),
          body,
        )
      ).code,
    };
  },

  async "standard-webhooks v1a (Ed25519)"() {
    const pair = await ed25519Pair();
    const body = '{"type":"invoice.paid"}';
    const headers = await standardWebhooks({ privateKey: pair.privateKey }).sign({
      id: "msg_v1a",
      timestamp: now(),
      body,
    });
    const receiver = standardWebhooks({ publicKey: pair.publicKey });
    const stranger = await ed25519Pair();
    return {
      signature: headers["webhook-signature"]?.split(",")[0],
      ...(await verifyDelivery(receiver, headers, body)),
      tampered: (await verifyDelivery(receiver, headers, flipped(body))).code,
      otherKey: (await verifyDelivery(standardWebhooks({ publicKey: stranger.publicKey }), headers, body)).code,
    };
  },

  async stripe() {
    const secret = `whsec_${base64(randomBytes(24))}`;
    const scheme = stripe({ secret });
    const body = '{"id":"evt_1","object":"event"}';
    const headers = await scheme.sign({ id: "evt_1", timestamp: now(), body });
    return {
      header: /^t=\d+,v1=[0-9a-f]{64}$/.test(headers["stripe-signature"] ?? ""),
      ...(await verifyDelivery(scheme, headers, body)),
      tampered: (await verifyDelivery(scheme, headers, flipped(body))).code,
      otherKey: (await verifyDelivery(stripe({ secret: `whsec_${base64(randomBytes(24))}` }), headers, body)).code,
    };
  },

  async github() {
    const secret = base64(randomBytes(24));
    const scheme = github({ secret });
    const body = '{"action":"opened","number":1}';
    const headers = await scheme.sign({ id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", timestamp: now(), body });
    return {
      header: /^sha256=[0-9a-f]{64}$/.test(headers["x-hub-signature-256"] ?? ""),
      ...(await verifyDelivery(
        scheme,
        { ...headers, "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" },
        body,
      )),
      tampered: (await verifyDelivery(scheme, headers, flipped(body))).code,
      legacyOnly: (
        await verifyDelivery(scheme, { "x-hub-signature": "sha1=0000000000000000000000000000000000000000" }, body)
      ).code,
    };
  },

  async "jws ES256"() {
    const { privateJwk, publicJwk } = await jwkPair(
      { name: "ECDSA", namedCurve: "P-256" },
      ["sign", "verify"],
      "es-1",
      "ES256",
    );
    const sender = jws({ privateKey: privateJwk, alg: "ES256" });
    const receiver = jws({ jwks: { keys: [publicJwk] }, algorithms: ["ES256"] });
    const sentAt = now();
    const { headers, body } = await sender.encode({
      id: "evt_jws",
      timestamp: sentAt,
      body: '{"type":"invoice.paid","amount":42}',
    });
    const token = body as string;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(decoder.decode(fromBase64Url(payload))) as Record<string, unknown>;
    const forgedPayload = base64(encoder.encode(JSON.stringify({ ...claims, amount: 43 })))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replaceAll("=", "");
    const verifier = createVerifier({ scheme: receiver, replay: false });
    const webhook = await verifier.verify(post(headers, token));
    return {
      contentType: headers["content-type"],
      verified: true,
      id: webhook.id,
      keyId: webhook.keyId,
      timestamp: webhook.timestamp?.getTime() === sentAt.getTime(),
      claims: withoutIat(JSON.parse(decoder.decode(webhook.body)), sentAt),
      tampered: (await verifyDelivery(receiver, headers, `${header}.${forgedPayload}.${signature}`)).code,
      noneAlg: (
        await verifyDelivery(
          receiver,
          headers,
          `${base64(encoder.encode('{"alg":"none"}')).replaceAll("=", "")}.${payload}.`,
        )
      ).code,
    };
  },

  async "jwe RSA-OAEP-256 + A256GCM over jws ES256"() {
    const signing = await jwkPair({ name: "ECDSA", namedCurve: "P-256" }, ["sign", "verify"], "sig-1", "ES256");
    const encryption = await jwkPair(
      { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      ["encrypt", "decrypt"],
      "enc-1",
      "RSA-OAEP-256",
    );
    const sender = jwe({
      publicKey: encryption.publicJwk,
      alg: "RSA-OAEP-256",
      inner: jws({ privateKey: signing.privateJwk, alg: "ES256" }),
    });
    const receiver = jwe({
      privateKey: encryption.privateJwk,
      alg: "RSA-OAEP-256",
      inner: jws({ jwks: { keys: [signing.publicJwk] }, algorithms: ["ES256"] }),
    });
    const sentAt = now();
    const { headers, body } = await sender.encode({ id: "evt_jwe", timestamp: sentAt, body: '{"secret":"data"}' });
    const token = body as string;
    const parts = token.split(".");
    const ciphertext = parts[3] as string;
    parts[3] = (ciphertext[0] === "A" ? "B" : "A") + ciphertext.slice(1);
    const webhook = await createVerifier({ scheme: receiver, replay: false }).verify(post(headers, token));
    return {
      contentType: headers["content-type"],
      plaintextHidden: !token.includes("secret"),
      verified: true,
      id: webhook.id,
      keyId: webhook.keyId,
      scheme: webhook.scheme,
      timestamp: webhook.timestamp?.getTime() === sentAt.getTime(),
      claims: withoutIat(JSON.parse(decoder.decode(webhook.body)), sentAt),
      tampered: (await verifyDelivery(receiver, headers, parts.join("."))).code,
    };
  },

  async "replay through the verifier"() {
    const scheme = standardWebhooks({ secret: standardSecret() });
    const verifier = createVerifier({ scheme });
    const body = "{}";
    const headers = await scheme.sign({ id: "msg_replay", timestamp: now(), body });
    const first = await verifier.verify(post(headers, body));
    const firstDuplicate = first.duplicate;
    const during = await codeOf(verifier.verify(post(headers, body)));
    await first.complete();
    const again = await verifier.verify(post(headers, body));
    return { firstDuplicate, during, againDuplicate: again.duplicate };
  },

  async "receive lifecycle"() {
    const scheme = standardWebhooks({ secret: standardSecret() });
    const events: string[] = [];
    const receiver = createReceiver({ scheme, onEvent: (event) => events.push(event.type) });
    const body = '{"type":"invoice.paid"}';
    const headers = await scheme.sign({ id: "msg_life", timestamp: now(), body });
    const processed: string[] = [];
    const ok = async (webhook: VerifiedWebhook) => {
      processed.push(webhook.id);
      return new Response(null, { status: 204 });
    };
    const status = (outcome: ReceiveOutcome<Response>) =>
      outcome.handled ? outcome.result.status : outcome.response.status;

    const first = status(await receiver.receive(post(headers, body), ok));
    const duplicate = await receiver.receive(post(headers, body), ok);

    // A retry while the first attempt still runs: 409, then the retry after the failure runs.
    const raceHeaders = await scheme.sign({ id: "msg_race", timestamp: now(), body });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const failing = receiver.receive(post(raceHeaders, body), async () => {
      await gate;
      throw new Error("database down");
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const during = await receiver.receive(post(raceHeaders, body), ok);
    open();
    const failure = await failing.then(
      () => "resolved",
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    const retry = status(await receiver.receive(post(raceHeaders, body), ok));
    const tampered = await receiver.receive(post(headers, flipped(body)), ok);
    return {
      first,
      duplicate: duplicate.handled ? "handled" : { status: duplicate.response.status, body: duplicate.response.body },
      during: during.handled
        ? "handled"
        : { status: during.response.status, headers: during.response.headers, code: errorCode(during) },
      failure,
      retry,
      tampered: tampered.handled ? "handled" : { status: tampered.response.status, code: errorCode(tampered) },
      processed,
      events,
    };
  },

  async "body limit"() {
    const scheme = standardWebhooks({ secret: standardSecret() });
    const receiver = createReceiver({ scheme, maxBodyBytes: 1024 });
    const headers = await scheme.sign({ id: "msg_big", timestamp: now(), body: "x".repeat(10) });
    let pulled = 0;
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(512));
        },
      });
    const never = async () => new Response(null, { status: 204 });
    const lying = await receiver.receive(
      { method: "POST", url: URL_, headers: { ...headers, "content-length": "10" }, body: endless() },
      never,
    );
    const lyingPulled = pulled;
    pulled = 0;
    // The runtime's own Request over a stream, with no content-length at all.
    const request = new Request(URL_, { method: "POST", headers, body: endless(), duplex: "half" } as RequestInit);
    const streamed = await receiver.receive(request, never);
    const streamedPulled = pulled;
    pulled = 0;
    const declared = await receiver.receive(
      { method: "POST", url: URL_, headers: { ...headers, "content-length": "5000" }, body: endless() },
      never,
    );
    const declaredPulled = pulled;
    const fits = await receiver.receive(post(headers, "x".repeat(10)), never);
    const describe = (outcome: ReceiveOutcome<Response>) =>
      outcome.handled
        ? { handled: true, status: outcome.result.status }
        : {
            status: outcome.response.status,
            code: errorCode(outcome),
            closeConnection: outcome.response.closeConnection,
          };
    return {
      lying: describe(lying),
      lyingPulledAtMost4: lyingPulled <= 4,
      streamed: describe(streamed),
      streamedPulledAtMost4: streamedPulled <= 4,
      declared: describe(declared),
      declaredPulledAtMost4: declaredPulled <= 4,
      fits: describe(fits),
    };
  },
};

function errorCode(outcome: ReceiveOutcome<Response>): string | undefined {
  if (outcome.handled) return undefined;
  const body = outcome.response.body;
  return "error" in body ? body.error.code : undefined;
}

/** Runs every scenario in order; a scenario that throws reports `{ threw }` instead of stopping the battery. */
export async function runBattery(): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const [name, scenario] of Object.entries(scenarios)) {
    try {
      results.push({ name, observed: await scenario() });
    } catch (error) {
      const code = isWebhookError(error) ? error.code : undefined;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      results.push({ name, observed: { threw: message, code } });
    }
  }
  return results;
}
