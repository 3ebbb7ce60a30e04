import { expect, it } from "vitest";
import * as api from "./index.js";
import * as errors from "./errors/index.js";
import * as identity from "./identity/index.js";
import { WEBHOOK_ERROR_STATUS } from "./index.js";
import * as receiver from "./receiver/index.js";
import * as replay from "./replay/index.js";
import * as schemes from "./schemes/index.js";
import * as sender from "./sender/index.js";
import * as verifier from "./verifier/index.js";

// Guards the public surface: a change here is a change users see.
it("exports the public API of @hooksec/core", () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "TlsCertificateError",
      "TokenRequestError",
      "VerifiedWebhook",
      "WEBHOOK_ERROR_STATUS",
      "WebhookError",
      "clerk",
      "createMemoryReplayStore",
      "createReceiver",
      "createSender",
      "createTenantDirectory",
      "createVerifier",
      "discord",
      "github",
      "gitlab",
      "hmacScheme",
      "hubspot",
      "intercom",
      "isWebhookError",
      "jwe",
      "jws",
      "lemonSqueezy",
      "linear",
      "meta",
      "paddle",
      "postmark",
      "providers",
      "resend",
      "sendgrid",
      "shopify",
      "signatureScheme",
      "slack",
      "square",
      "standardWebhooks",
      "stripe",
      "svix",
      "telegram",
      "twilio",
      "typeform",
      "vercel",
      "zoom",
      "zoomUrlValidation",
    ]
  `);
});

it("keeps every error code and its HTTP status", () => {
  expect(WEBHOOK_ERROR_STATUS).toMatchInlineSnapshot(`
    {
      "algorithm_not_allowed": 401,
      "body_already_consumed": 500,
      "body_too_large": 413,
      "claim_mismatch": 401,
      "client_certificate_expired": 401,
      "client_certificate_invalid": 401,
      "client_certificate_required": 401,
      "decryption_failed": 400,
      "duplicate_message": 409,
      "endpoint_disabled": 409,
      "forbidden_ip": 403,
      "invalid_endpoint": 400,
      "invalid_options": 500,
      "invalid_signature": 401,
      "key_not_found": 401,
      "key_set_unavailable": 503,
      "malformed_body": 400,
      "malformed_header": 400,
      "message_in_progress": 409,
      "missing_header": 400,
      "rate_limited": 429,
      "rate_limiter_unavailable": 503,
      "replay_store_full": 503,
      "replay_store_unavailable": 503,
      "ssrf_blocked": 400,
      "tenant_disabled": 403,
      "timestamp_in_future": 401,
      "timestamp_too_old": 401,
      "unknown_tenant": 403,
      "unsupported_critical_header": 400,
      "untrusted_key": 401,
      "untrusted_proxy": 403,
    }
  `);
});

it("splits the API into one subpath per concern, each name in exactly one, the root a curated part", () => {
  const concerns = [errors, schemes, verifier, receiver, replay, identity, sender].map((concern) =>
    Object.keys(concern),
  );
  const all = concerns.flat();
  expect(new Set(all).size).toBe(all.length);
  for (const name of Object.keys(api)) expect(all).toContain(name);
  // Every scheme and error is at the root: a new preset cannot be forgotten there.
  for (const name of [...Object.keys(schemes), ...Object.keys(errors)]) expect(Object.keys(api)).toContain(name);
});

it("keeps the low-level helpers under their subpath only", () => {
  expect(
    Object.keys(identity)
      .filter((name) => !(name in api))
      .sort(),
  ).toMatchInlineSnapshot(`
    [
      "canonicalDistinguishedName",
      "createIpMatcher",
      "dnAttributeValues",
      "formatDistinguishedName",
      "normalizeFingerprint",
      "parseCertificate",
      "parseDistinguishedName",
      "parseIpAddress",
      "resolveClientIp",
    ]
  `);
  expect(
    Object.keys(sender)
      .filter((name) => !(name in api))
      .sort(),
  ).toMatchInlineSnapshot(`
    [
      "checkEndpoint",
      "classifyAddress",
      "createAddressGuard",
      "createFetchTransport",
      "parseRetryAfter",
    ]
  `);
  expect(
    Object.keys(receiver)
      .filter((name) => !(name in api))
      .sort(),
  ).toMatchInlineSnapshot(`
    [
      "bodyConsumed",
      "duplicateResponse",
      "refusalResponse",
    ]
  `);
});

it("exports only the Node transport from @hooksec/core/sender/node", async () => {
  const node = await import("./sender/node/index.js");
  expect(Object.keys(node).sort()).toMatchInlineSnapshot(`
    [
      "createNodeTransport",
    ]
  `);
});

it("gives adapters one curated list to re-export, all of it from the public subpaths", async () => {
  const receiving = await import("./receiving.js");
  const names = Object.keys(receiving).sort();
  expect(names).toMatchInlineSnapshot(`
    [
      "VerifiedWebhook",
      "WEBHOOK_ERROR_STATUS",
      "WebhookError",
      "createMemoryReplayStore",
      "createReceiver",
      "createTenantDirectory",
      "createVerifier",
      "github",
      "hmacScheme",
      "isWebhookError",
      "jwe",
      "jws",
      "shopify",
      "slack",
      "standardWebhooks",
      "stripe",
      "svix",
      "twilio",
    ]
  `);
  for (const name of names) expect(Object.keys(api)).toContain(name);
});
