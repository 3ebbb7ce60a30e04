// One conformance table for every provider preset: each provider's test file calls
// `describeConformance` with how to make its keys and schemes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8 } from "../../../lib/utf8.js";
import { incomingWebhook } from "../../../test-support/fixtures.js";
import { codeOf } from "../../../test-support/outcome.js";
import type { OutgoingWebhook, WebhookScheme } from "../../types.js";

export const T = new Date(1_700_000_000_000);
const URL_SIGNED = "https://receiver.test/hooks";

/** A sender's key (secret, or private key with its public half) and what a receiver holds of it. */
export interface ConformanceKey {
  readonly signing: unknown;
  readonly verifying: unknown;
}

export interface ConformanceCase {
  readonly name: string;
  /** A fresh, independent key. */
  readonly newKey: () => Promise<ConformanceKey> | ConformanceKey;
  /** The sender's scheme for one key. */
  readonly sender: (key: ConformanceKey) => WebhookScheme;
  /** The receiver's scheme holding several keys, newest first (a rotation). */
  readonly receiver: (keys: readonly ConformanceKey[]) => WebhookScheme;
  /** Bodies this format can carry (default: any bytes). */
  readonly body?: fc.Arbitrary<Uint8Array | string>;
  /** Headers whose values the tests mutate and garble (default: every header `sign` writes). */
  readonly headers?: readonly string[];
  /** Id sent with the message (formats that constrain it). */
  readonly id?: string;
  /** What `sign` writes but a receiver ignores (an unsigned id header): mutating it changes nothing signed. */
  readonly unsignedHeaders?: readonly string[];
  readonly runs?: number;
  /** False for shared-token schemes: they authenticate the sender, not the body, so body changes are not tested. */
  readonly authenticatesBody?: boolean;
}

const message = (body: Uint8Array | string, id: string): OutgoingWebhook => ({
  id,
  timestamp: T,
  body,
  url: URL_SIGNED,
});
const REFUSED = [
  "invalid_signature",
  "malformed_header",
  "malformed_body",
  "missing_header",
  "algorithm_not_allowed",
  "untrusted_key",
];

/** Round trip, any one-byte mutation refused, garbage headers give a WebhookError, key rotation. */
export function describeConformance(test: ConformanceCase): void {
  const body = test.body ?? fc.uint8Array({ maxLength: 300 });
  const id = test.id ?? "msg_1";
  const runs = test.runs ?? 60;

  describe(`${test.name}: conformance`, () => {
    it("round-trips arbitrary bodies, with the signed timestamp when the format has one", async () => {
      const key = await test.newKey();
      const [sender, receiver] = [test.sender(key), test.receiver([key])];
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const result = await receiver.verify(
            incomingWebhook(await sender.sign(message(payload, id)), payload, URL_SIGNED),
          );
          expect(result.id.length).toBeGreaterThan(0);
          if (receiver.timestamped) expect(result.timestamp?.getTime()).toBe(T.getTime());
          else expect(result.timestamp).toBeUndefined();
        }),
        { numRuns: runs },
      );
    });

    it("refuses any one-byte change to the body or to a signed header, and another key", async () => {
      const key = await test.newKey();
      const [sender, receiver, stranger] = [
        test.sender(key),
        test.receiver([key]),
        test.receiver([await test.newKey()]),
      ];
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          async (payload, position, flip, inBody) => {
            const headers = await sender.sign(message(payload, id));
            const bytes = typeof payload === "string" ? utf8(payload) : payload;
            expect(await codeOf(stranger.verify(incomingWebhook(headers, bytes, URL_SIGNED)))).toBe(
              "invalid_signature",
            );
            const names = (test.headers ?? Object.keys(headers)).filter(
              (name) => !(test.unsignedHeaders ?? []).includes(name),
            );
            const mutated = { ...headers };
            let mutatedBody = bytes;
            if (((inBody && bytes.length > 0) || names.length === 0) && test.authenticatesBody !== false) {
              if (bytes.length === 0) return;
              mutatedBody = bytes.slice();
              const index = position % bytes.length;
              mutatedBody[index] = (mutatedBody[index] as number) ^ flip;
            } else {
              const name = names[position % names.length] as string;
              const value = headers[name] as string;
              const index = (position >> 4) % value.length;
              const code = value.charCodeAt(index);
              // stay in printable ASCII so this tests the signature, with the parser as a second line
              mutated[name] =
                value.slice(0, index) + String.fromCharCode(code === 0x7e ? 0x21 : code + 1) + value.slice(index + 1);
            }
            expect(REFUSED).toContain(await codeOf(receiver.verify(incomingWebhook(mutated, mutatedBody, URL_SIGNED))));
          },
        ),
        { numRuns: runs },
      );
    });

    it("answers garbage headers with a WebhookError, never another exception", async () => {
      const key = await test.newKey();
      const [sender, receiver] = [test.sender(key), test.receiver([key])];
      const names = test.headers ?? Object.keys(await sender.sign(message("{}", id)));
      const value = fc.option(
        fc.oneof(fc.string(), fc.stringMatching(/^[ -~]{0,90}$/), fc.base64String({ maxLength: 100 }), fc.constant("")),
        {
          nil: undefined,
        },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(value, { minLength: names.length, maxLength: names.length }),
          fc.uint8Array({ maxLength: 64 }),
          async (values, payload) => {
            const headers: Record<string, string> = {};
            names.forEach((name, i) => {
              const v = values[i];
              if (v !== undefined) headers[name] = v;
            });
            expect(REFUSED).toContain(await codeOf(receiver.verify(incomingWebhook(headers, payload, URL_SIGNED))));
          },
        ),
        { numRuns: runs * 2 },
      );
    });

    it("rotates keys: the receiver accepts the newest and the older key and names which matched", async () => {
      const [newest, older] = [await test.newKey(), await test.newKey()];
      const receiver = test.receiver([newest, older]);
      const payload = '{"rotation":true}';
      const a = await receiver.verify(
        incomingWebhook(await test.sender(newest).sign(message(payload, id)), payload, URL_SIGNED),
      );
      const b = await receiver.verify(
        incomingWebhook(await test.sender(older).sign(message(payload, id)), payload, URL_SIGNED),
      );
      expect(a.keyId).toBeDefined();
      expect(b.keyId).toBeDefined();
      expect(a.keyId).not.toBe(b.keyId);
      expect(
        await codeOf(
          test
            .receiver([newest])
            .verify(incomingWebhook(await test.sender(older).sign(message(payload, id)), payload, URL_SIGNED)),
        ),
      ).toBe("invalid_signature");
    });
  });
}

/** A random HMAC secret as text (32 hex characters: 32 bytes of UTF-8). */
export function hmacKey(): ConformanceKey {
  const secret = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  return { signing: secret, verifying: secret };
}

/** HMAC presets take `{ secret }` to sign and `{ secrets }` to verify. */
export function hmacConformance(
  name: string,
  make: (options: { secret: string } | { secrets: string[] }) => WebhookScheme,
  extra: Partial<ConformanceCase> = {},
): ConformanceCase {
  return {
    name,
    newKey: hmacKey,
    sender: (key) => make({ secret: key.signing as string }),
    receiver: (keys) => make({ secrets: keys.map((key) => key.verifying as string) }),
    ...extra,
  };
}

/** A fresh key pair as JWKs for an asymmetric preset. */
export async function jwkKey(
  algorithm: EcKeyGenParams | RsaHashedKeyGenParams | AlgorithmIdentifier,
): Promise<ConformanceKey> {
  const pair = (await crypto.subtle.generateKey(algorithm as EcKeyGenParams, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  return {
    signing: await crypto.subtle.exportKey("jwk", pair.privateKey),
    verifying: await crypto.subtle.exportKey("jwk", pair.publicKey),
  };
}
