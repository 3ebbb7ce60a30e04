import { createVerifier, isWebhookError, standardWebhooks } from "@hooksec/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  createKeyPair,
  type Ed25519KeyPair,
  type GeneratedKeyPair,
  type JoseKeyPair,
  type KeyType,
} from "../src/index.js";

// The type assertions are checked by `tsc` (this folder is in the package's typecheck);
// the runtime assertions by vitest.
describe("createKeyPair", () => {
  it("narrows its result by the key type literal", () => {
    expectTypeOf(createKeyPair("ed25519")).toEqualTypeOf<Ed25519KeyPair>();
    expectTypeOf(createKeyPair("ed25519").privateKey).toEqualTypeOf<string>();
    expectTypeOf(createKeyPair("es256")).toEqualTypeOf<JoseKeyPair>();
    expectTypeOf(createKeyPair("rsa-oaep", "k1").kid).toEqualTypeOf<string>();
    // A type only known at run time (the CLI's --type) gets the union, to narrow on `type`.
    const fromInput = (type: KeyType) => createKeyPair(type);
    expectTypeOf(fromInput).returns.toEqualTypeOf<GeneratedKeyPair>();
    // Compiled, never called: a JOSE pair's private key is a JWK, which Standard Webhooks does not take.
    // @ts-expect-error the JWK is not a SecretInput
    const misuse = () => standardWebhooks({ privateKey: createKeyPair("es256").privateKey });
    expectTypeOf(misuse).toBeFunction();
  });

  it("gives an Ed25519 pair whose private key signs with standardWebhooks and whose public key verifies", async () => {
    const { privateKey, publicKey } = createKeyPair("ed25519");
    const body = '{"type":"invoice.paid"}';
    const timestamp = new Date();
    const headers = await standardWebhooks({ privateKey }).sign({ id: "msg_keypair", timestamp, body });
    expect(headers["webhook-signature"]).toMatch(/^v1a,/);

    const verifier = createVerifier({ scheme: standardWebhooks({ publicKey }) });
    const request = (payload: string) =>
      new Request("https://receiver.test/webhooks", { method: "POST", headers, body: payload });
    const webhook = await verifier.verify(request(body));
    expect(webhook.id).toBe("msg_keypair");
    expect(webhook.text()).toBe(body);
    expect(webhook.timestamp?.getTime()).toBe(Math.floor(timestamp.getTime() / 1000) * 1000);

    const tampered = await verifier.verify(request('{"type":"invoice.refunded"}')).catch((error: unknown) => error);
    expect(isWebhookError(tampered) && tampered.code).toBe("invalid_signature");
  });

  it("gives a key that another pair's public key does not verify", async () => {
    const signer = createKeyPair("ed25519");
    const stranger = createKeyPair("ed25519");
    const headers = await standardWebhooks({ privateKey: signer.privateKey }).sign({
      id: "msg_other",
      timestamp: new Date(),
      body: "{}",
    });
    const verifier = createVerifier({ scheme: standardWebhooks({ publicKey: stranger.publicKey }) });
    const refused = await verifier
      .verify(new Request("https://receiver.test/webhooks", { method: "POST", headers, body: "{}" }))
      .catch((error: unknown) => error);
    expect(isWebhookError(refused) && refused.code).toBe("invalid_signature");
  });
});
