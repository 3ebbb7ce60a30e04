// An encrypted payload end to end. The sender signs with its ES256 key (JWS),
// then encrypts to the receiver's P-256 key (JWE); the receiver decrypts and
// checks the signature against the sender's published key. Encryption alone
// proves nothing: a JWE made by anyone with the receiver's public key but
// signed with another key is refused.
import { type KeyObject, generateKeyPairSync, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebhookScheme, createSender, createVerifier, isWebhookError, jwe, jws } from "@hooksec/core";
import type { Check } from "../report.js";
import type { Cleanup } from "../support/cleanup.js";

type Jwk = ReturnType<KeyObject["export"]> & object;

const ecKeyPair = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwk = (key: KeyObject, kid: string) => ({ ...(key.export({ format: "jwk" }) as Jwk), kid });

export async function jweScenarios(cleanup: Cleanup): Promise<Check[]> {
  const senderKeys = ecKeyPair();
  const receiverKeys = ecKeyPair();
  const attackerKeys = ecKeyPair();

  // The receiver: decrypts with its private key, then verifies the sender's signature.
  const verifier = createVerifier({
    scheme: jwe({
      privateKey: jwk(receiverKeys.privateKey, "receiver-1"),
      alg: "ECDH-ES+A256KW",
      inner: jws({ jwks: { keys: [jwk(senderKeys.publicKey, "sender-1")] }, algorithms: ["ES256"] }),
    }),
  });
  const received: unknown[] = [];
  const receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const webhook = await verifier.verifyParts({
        method: req.method ?? "POST",
        url: `http://127.0.0.1${req.url ?? "/"}`,
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      if (!webhook.duplicate) {
        received.push(webhook.json());
        await webhook.complete(); // remembered: a later delivery of it is a duplicate
      }
      res.writeHead(204).end();
    } catch (error) {
      const status = isWebhookError(error) ? error.status : 500;
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify(isWebhookError(error) ? error.toJSON() : {}));
    }
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  cleanup.add(() => new Promise((resolve) => receiver.close(resolve)));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;

  // The sender's side: sign with `signingKey`, then encrypt to the receiver.
  const encrypting = (signingKey: KeyObject): WebhookScheme =>
    jwe({
      publicKey: jwk(receiverKeys.publicKey, "receiver-1"),
      alg: "ECDH-ES+A256KW",
      inner: jws({ privateKey: jwk(signingKey, "sender-1"), alg: "ES256", kid: "sender-1" }),
    });
  const postEncoded = async (scheme: WebhookScheme, payload: unknown, mutate = (body: string) => body) => {
    const encoded = await scheme.encode({
      id: `msg_${randomBytes(6).toString("hex")}`,
      timestamp: new Date(),
      body: JSON.stringify(payload),
    });
    const response = await fetch(url, { method: "POST", headers: encoded.headers, body: mutate(String(encoded.body)) });
    const text = await response.text();
    const code = text === "" ? "" : ((JSON.parse(text) as { error?: { code?: string } }).error?.code ?? "");
    return `${response.status} ${code}`;
  };

  // Loopback over plain HTTP is opted into explicitly: by default the sender refuses both.
  const sender = createSender({
    scheme: encrypting(senderKeys.privateKey),
    ssrf: { allowHttp: true, allowCidrs: ["127.0.0.0/8"] },
  });
  cleanup.add(() => sender.close());
  const delivery = await sender.send({ url }, { type: "payout.sent", amount: 1200 });
  const forged = await postEncoded(encrypting(attackerKeys.privateKey), { type: "payout.sent", amount: 999999 });
  const tampered = await postEncoded(encrypting(senderKeys.privateKey), { type: "payout.sent" }, (body) => {
    const parts = body.split(".");
    const ciphertext = parts[3] ?? "";
    parts[3] = `${ciphertext.startsWith("A") ? "B" : "A"}${ciphertext.slice(1)}`;
    return parts.join(".");
  });
  const read = received[0] as { type?: string } | undefined;

  return [
    {
      ok: delivery.status === "delivered" && received.length === 1 && read?.type === "payout.sent",
      scenario: "sender delivers a signed, then encrypted payload",
      expected: "delivered",
      got: `${delivery.status} after ${delivery.attempts} attempt(s)`,
      why: `receiver read ${JSON.stringify(read ?? null)}`,
    },
    {
      ok: forged === "401 invalid_signature",
      scenario: "encrypted to us, but signed with another key",
      expected: "401 invalid_signature",
      got: forged,
      why: "anyone can encrypt to the receiver's public key: the inner signature decides",
    },
    {
      ok: tampered === "400 decryption_failed",
      scenario: "ciphertext changed in transit",
      expected: "400 decryption_failed",
      got: tampered,
    },
  ];
}
