/**
 * Every reason a webhook can be refused, with the HTTP status an adapter answers.
 * Callers `switch (err.code)`; the codes are stable, the messages are not.
 */
export const WEBHOOK_ERROR_STATUS = {
  // 400: the request is not a well-formed webhook for this scheme
  missing_header: 400,
  malformed_header: 400,
  malformed_body: 400,
  // 400: a JOSE header names an extension (`crit`) this verifier does not implement
  unsupported_critical_header: 400,
  // 401: the request does not prove who sent it, or proves it for another time
  invalid_signature: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  // 401: JOSE refusals: an algorithm outside the allowlist (or `none`, or HMAC against public keys),
  // a key carried by the message itself, a `kid` not in the key set, a claim (iss/aud) that does not match
  algorithm_not_allowed: 401,
  untrusted_key: 401,
  key_not_found: 401,
  claim_mismatch: 401,
  // 400: a JWE that does not decrypt with our keys (tampered, or encrypted for someone else)
  decryption_failed: 400,
  // 401: the caller did not prove who it is with a client certificate (none, not verified, expired)
  client_certificate_required: 401,
  client_certificate_invalid: 401,
  client_certificate_expired: 401,
  // 403: identity refusals: address outside the allowlist, proxy headers from a peer that is not a
  // trusted proxy, a certificate that maps to no tenant, a tenant switched off
  forbidden_ip: 403,
  untrusted_proxy: 403,
  unknown_tenant: 403,
  tenant_disabled: 403,
  // 429: too many requests for this tenant or address; the error carries `retryAfterSeconds`
  rate_limited: 429,
  // 409: the message was already claimed (only thrown when duplicates are rejected)
  duplicate_message: 409,
  // 409: another delivery of this message is being processed right now; retry after its lease (`Retry-After`)
  message_in_progress: 409,
  // 413: body over maxBodyBytes, refused without buffering it whole
  body_too_large: 413,
  // 400: sender side: an endpoint URL that is not a valid https URL (or http without `allowHttp`),
  // or whose host is, or resolves to, an address SSRF protection refuses
  invalid_endpoint: 400,
  ssrf_blocked: 400,
  // 409: sender side (@hooksec/delivery): the endpoint is disabled (410 Gone, failing too long, or by
  // hand) and takes nothing new until it is enabled again
  endpoint_disabled: 409,
  // 500: the server is set up wrongly (never caused by request content)
  invalid_options: 500,
  body_already_consumed: 500,
  // 503: a dependency needed to decide safely is unavailable (fail closed)
  replay_store_unavailable: 503,
  // 503: the in-memory replay store is full of messages still inside their replay window (it never forgets one early)
  replay_store_full: 503,
  key_set_unavailable: 503,
  rate_limiter_unavailable: 503,
} as const satisfies Record<string, number>;

/**
 * Codes that mean the server is set up wrongly, never that the request is hostile:
 * their `message` names the fix, and adapters hand them to the framework's error
 * path so they reach the server log (the wire still gets only the generic text).
 */
export const SETUP_ERROR_CODES: ReadonlySet<string> = new Set(["invalid_options", "body_already_consumed"]);

/** One string per refusal reason. */
export type WebhookErrorCode = keyof typeof WEBHOOK_ERROR_STATUS;

/** Wire messages: generic on purpose, the detail goes to `cause` and `onEvent`. */
export const WEBHOOK_ERROR_MESSAGE: Record<WebhookErrorCode, string> = {
  missing_header: "Missing webhook header",
  malformed_header: "Malformed webhook header",
  malformed_body: "Malformed webhook body",
  invalid_signature: "Invalid webhook signature",
  timestamp_too_old: "Webhook timestamp too old",
  timestamp_in_future: "Webhook timestamp in the future",
  unsupported_critical_header: "Unsupported critical webhook header",
  algorithm_not_allowed: "Webhook signature algorithm not allowed",
  untrusted_key: "Webhook key not trusted",
  key_not_found: "Webhook key not found",
  claim_mismatch: "Webhook claim mismatch",
  decryption_failed: "Webhook decryption failed",
  client_certificate_required: "Client certificate required",
  client_certificate_invalid: "Client certificate invalid",
  client_certificate_expired: "Client certificate expired",
  forbidden_ip: "Forbidden",
  untrusted_proxy: "Forbidden",
  unknown_tenant: "Forbidden",
  tenant_disabled: "Forbidden",
  rate_limited: "Too many webhooks",
  duplicate_message: "Duplicate webhook",
  message_in_progress: "Webhook already being processed",
  body_too_large: "Webhook body too large",
  invalid_endpoint: "Invalid webhook endpoint",
  ssrf_blocked: "Webhook endpoint address not allowed",
  endpoint_disabled: "Webhook endpoint disabled",
  invalid_options: "Webhook verifier misconfigured",
  body_already_consumed: "Webhook body already consumed",
  replay_store_unavailable: "Webhook replay store unavailable",
  replay_store_full: "Webhook replay store full",
  key_set_unavailable: "Webhook key set unavailable",
  rate_limiter_unavailable: "Webhook rate limiter unavailable",
};
