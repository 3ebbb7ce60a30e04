import { SignJWT } from "jose";
import { cryptoBackend } from "#crypto";
import { WebhookError } from "../../errors/webhook-error.js";
import { prepareAsymmetricKey } from "../../keys/asymmetric-keys.js";
import type { PreparedSignatureKey, SignatureKeyring } from "../../keys/signature-keyring.js";
import { decodeBase64 } from "../../lib/base64.js";
import { encodeHex } from "../../lib/hex.js";
import { toBytes, utf8 } from "../../lib/utf8.js";
import { jsonObject } from "../signature/json-body.js";
import { checkProtectedHeader } from "../jose/header-policy.js";
import { type JoseKeyInput, kidOf, lazyKey } from "../jose/signing-key.js";
import { resolveAlgorithm } from "../signature/algorithm.js";
import type { SignatureFormat } from "../signature/fields.js";
import { requireHeader } from "../signature/header-fields.js";
import { customScheme } from "../signature/signature-scheme.js";
import type { OutgoingWebhook, SignedHeaders, WebhookScheme } from "../types.js";
import { createKeyCache, type KeyCacheOptions } from "./plaid-paypal-key-cache.js";
import { defineProvider } from "./provider.js";

/** A key as `/webhook_verification_key/get` returns it: a P-256 JWK with Plaid's `created_at` and `expired_at`. */
export interface PlaidVerificationKey extends JsonWebKey {
  readonly kid?: string;
  readonly created_at?: number | null;
  readonly expired_at?: number | null;
}

/**
 * Returns Plaid's verification key for a `kid` (`response.data.key` of
 * `/webhook_verification_key/get`); `undefined` when Plaid says the key does not exist.
 * Throw when Plaid cannot be asked (the webhook is then refused with a 503 and retried).
 */
export type PlaidKeyFetcher = (
  kid: string,
  context: { readonly signal: AbortSignal },
) => Promise<PlaidVerificationKey | undefined | null>;

/**
 * Options of `providers.plaid`: Plaid signs an ES256 JWT with a key it names by `kid`, so
 * verifying needs a way to fetch that key from Plaid's API.
 */
export interface PlaidOptions {
  /** Verifying: where Plaid's public keys come from (cached by `kid`, see `keyCache`). */
  readonly keyFetcher?: PlaidKeyFetcher;
  /** Caching and rate limiting of `keyFetcher`. */
  readonly keyCache?: KeyCacheOptions;
  /** Signing (to test a handler): an ES256 private key, as a JWK or a Web Crypto key. */
  readonly privateKey?: JoseKeyInput;
  /** The `kid` written when signing; default the private JWK's own `kid`. */
  readonly kid?: string;
}

const HEADER = "plaid-verification";
const ES256 = resolveAlgorithm("ecdsa-p256-sha256", { signatureEncoding: "raw" });
const ONLY_ES256: ReadonlySet<string> = new Set(["ES256"]);
const MAX_TOKEN_LENGTH = 4096;
const MAX_KID_LENGTH = 256;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Strict unpadded base64url (one spelling per byte string); `undefined` for anything else. */
function decodeBase64Url(segment: string): Uint8Array | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  const standard = segment.replaceAll("-", "+").replaceAll("_", "/");
  return decodeBase64(standard + "=".repeat((4 - (standard.length % 4)) % 4));
}

function jsonSegment(segment: string, what: string): Record<string, unknown> {
  const bytes = decodeBase64Url(segment);
  const value = bytes === undefined ? undefined : jsonObject(bytes);
  if (value === undefined) throw new WebhookError("malformed_header", `the ${HEADER} ${what} is not base64url JSON`);
  return value;
}

// extra: [the JWS signing input `header.payload`, the signed request_body_sha256]
const plaidFormat: SignatureFormat = {
  name: "plaid",
  timestamped: true,
  algorithms: [ES256],
  read(incoming) {
    const token = requireHeader(incoming.header, HEADER);
    const parts = token.split(".");
    if (token.length > MAX_TOKEN_LENGTH || parts.length !== 3)
      throw new WebhookError("malformed_header", `${HEADER} is not a compact JWT`);
    const [protectedHeader, payload, signature] = parts as [string, string, string];
    // The JOSE policy before any key is fetched: alg exactly ES256, no key carried by the message, no crit.
    const header = jsonSegment(protectedHeader, "header");
    checkProtectedHeader(header, ONLY_ES256, "header");
    const { kid } = header;
    if (typeof kid !== "string" || kid.length === 0 || kid.length > MAX_KID_LENGTH)
      throw new WebhookError("malformed_header", `${HEADER} has no kid`);
    const claims = jsonSegment(payload, "payload");
    const { iat, request_body_sha256: bodyHash } = claims;
    if (typeof iat !== "number" || !Number.isSafeInteger(iat) || iat < 0)
      throw new WebhookError("malformed_header", `${HEADER} iat is not unix seconds`);
    if (typeof bodyHash !== "string" || !SHA256_HEX.test(bodyHash)) {
      throw new WebhookError("malformed_header", `${HEADER} request_body_sha256 is not a lowercase hex SHA-256`);
    }
    const bytes = decodeBase64Url(signature);
    if (bytes === undefined || bytes.length !== 64)
      throw new WebhookError("malformed_header", `${HEADER} signature is not an ES256 signature`);
    return {
      timestamp: String(iat),
      keyId: kid,
      signatures: [[bytes]],
      extra: [utf8(`${protectedHeader}.${payload}`), utf8(bodyHash)],
    };
  },
  fieldsFor() {
    throw new WebhookError("invalid_options", "plaid signs with its own JWT writer");
  },
  signedContent(fields) {
    return [fields.extra?.[0] ?? new Uint8Array(0)];
  },
  async confirm(incoming, fields) {
    // The JWT vouches for the body through its hash: hashed only once the signature holds,
    // so a forged request never costs a hash of its whole body. Constant time, as Plaid asks.
    const actual = utf8(encodeHex(await cryptoBackend.digest("SHA-256", incoming.body)));
    const claimed = fields.extra?.[1] ?? new Uint8Array(0);
    if (!cryptoBackend.timingSafeEqual(actual, claimed))
      throw new WebhookError("invalid_signature", "the body does not match the signed request_body_sha256");
  },
  write() {
    throw new WebhookError("invalid_options", "plaid signs with its own JWT writer");
  },
};

function setupError(detail: string): WebhookError {
  return new WebhookError("invalid_options", `plaid keyFetcher: ${detail}`);
}

/** Plaid's JWK as a P-256 public key; `undefined` for a key Plaid has expired (its sample rejects those). */
async function importPlaidKey(kid: string, jwk: PlaidVerificationKey): Promise<PreparedSignatureKey | undefined> {
  if (
    typeof jwk !== "object" ||
    jwk === null ||
    jwk.kty !== "EC" ||
    jwk.crv !== "P-256" ||
    typeof jwk.x !== "string" ||
    typeof jwk.y !== "string"
  ) {
    throw setupError("return the P-256 JWK itself (`response.data.key`), or undefined for an unknown kid");
  }
  if (jwk.kid !== undefined && jwk.kid !== kid) throw setupError("it returned the key of another kid");
  if ((jwk.alg !== undefined && jwk.alg !== "ES256") || (jwk.use !== undefined && jwk.use !== "sig"))
    throw setupError("the key is not an ES256 signing key");
  if (jwk.expired_at !== undefined && jwk.expired_at !== null) return undefined;
  // Only the public members: Plaid's own fields, or a stray `d`, never reach the import.
  const raw = { id: kid, data: { format: "jwk" as const, jwk: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y } } };
  const prepared = await prepareAsymmetricKey(raw, ES256);
  return { id: prepared.id, slot: 0, hmac: undefined, verifyKey: prepared.publicKey, signKey: undefined };
}

function plaidKeyring(fetcher: PlaidKeyFetcher, cacheOptions: KeyCacheOptions | undefined): SignatureKeyring {
  const cache = createKeyCache<PreparedSignatureKey>(
    "Plaid verification key",
    async (kid, signal) => {
      const jwk = await fetcher(kid, { signal });
      if (jwk === undefined || jwk === null) return undefined;
      const key = await importPlaidKey(kid, jwk);
      return key === undefined ? undefined : { key };
    },
    cacheOptions,
  );
  return {
    async keysFor(_tenant, received) {
      if (received?.keyId === undefined)
        throw new WebhookError("invalid_options", "plaid verifies with keys fetched by kid");
      const key = await cache.get(received.keyId);
      if (key === undefined) throw new WebhookError("invalid_signature", "the JWT's kid names no current Plaid key");
      return [key];
    },
  };
}

const noKeys: SignatureKeyring = {
  keysFor() {
    throw new WebhookError("invalid_options", "this plaid scheme only signs: pass keyFetcher to verify");
  },
};

/**
 * Plaid: an ES256 JWT in `Plaid-Verification` whose claims are `iat` and `request_body_sha256`
 * (hex SHA-256 of the raw body, compared in constant time once the signature holds). `alg` must
 * be ES256 (anything else, and keys carried by the JWT, are refused before any key is fetched);
 * the key named by `kid` comes from your `keyFetcher` wrapping `/webhook_verification_key/get`,
 * cached by `kid` (bounded; unknown ids are not asked again for a while and share a fetch budget;
 * keys Plaid has expired are refused). The verifier's window applies to `iat` (its default 5
 * minutes is Plaid's). Plaid sends no event id and identical bodies recur (SYNC_UPDATES_AVAILABLE),
 * so the signed JWT itself deduplicates.
 * https://plaid.com/docs/api/webhooks/webhook-verification/
 *
 * @example
 * const verifier = createVerifier({
 *   scheme: providers.plaid.create({
 *     keyFetcher: async (kid) => (await plaidClient.webhookVerificationKeyGet({ key_id: kid })).data.key,
 *   }),
 * });
 */
export function plaid(options: PlaidOptions): WebhookScheme {
  if (typeof options !== "object" || options === null) throw new WebhookError("invalid_options", "plaid needs options");
  const { keyFetcher, privateKey } = options;
  if (keyFetcher !== undefined && typeof keyFetcher !== "function")
    throw new WebhookError("invalid_options", "plaid keyFetcher must be a function");
  if (keyFetcher === undefined && privateKey === undefined) {
    throw new WebhookError(
      "invalid_options",
      "plaid needs `keyFetcher` (to verify: Plaid's /webhook_verification_key/get) or `privateKey` (to sign)",
    );
  }
  const kid = options.kid ?? kidOf(privateKey);
  if (privateKey !== undefined && (typeof kid !== "string" || kid === ""))
    throw new WebhookError("invalid_options", "plaid signing needs a `kid`");
  const signingKey = privateKey === undefined ? undefined : lazyKey(privateKey, "ES256", "Plaid private key");
  const scheme = customScheme(
    plaidFormat,
    keyFetcher === undefined ? noKeys : plaidKeyring(keyFetcher, options.keyCache),
  );

  async function sign(message: OutgoingWebhook): Promise<SignedHeaders> {
    if (signingKey === undefined || kid === undefined)
      throw new WebhookError("invalid_options", "this plaid scheme only verifies: pass privateKey and kid to sign");
    const ms = message.timestamp.getTime();
    if (!Number.isFinite(ms) || ms < 0)
      throw new WebhookError("invalid_options", "timestamp must be a valid Date after 1970");
    const bodyHash = encodeHex(await cryptoBackend.digest("SHA-256", toBytes(message.body)));
    const token = await new SignJWT({ iat: Math.floor(ms / 1000), request_body_sha256: bodyHash })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .sign(await signingKey());
    return { [HEADER]: token };
  }

  return {
    ...scheme,
    sign,
    async encode(message) {
      return { headers: await sign(message), body: message.body };
    },
  };
}

export const plaidProvider = defineProvider(
  {
    title: "Plaid",
    algorithm: "es256-jwt",
    timestamped: true,
    messageId: "the signed JWT (Plaid sends no event id; iat and the body hash are under the signature)",
    docs: "https://plaid.com/docs/api/webhooks/webhook-verification/",
    keys: "key-fetcher",
  },
  plaid,
);
