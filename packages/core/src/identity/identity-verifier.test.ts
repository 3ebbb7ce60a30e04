import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWebhookError, type WebhookError } from "../errors/webhook-error.js";
import { decodeBase64 } from "../lib/base64.js";
import { standardWebhooks } from "../schemes/standard-webhooks/standard-webhooks.js";
import { testSecret } from "../test-support/fixtures.js";
import { createVerifier } from "../verifier/create-verifier.js";
import type { ConnectionInfo, VerifierOptions, WebhookEvent } from "../verifier/types.js";
import { createTenantDirectory, type TenantRule } from "./tenants.js";
import {
  LEAF_FINGERPRINT_OPENSSL,
  LEAF_NOT_AFTER,
  LEAF_NOT_BEFORE,
  LEAF_PEM,
  LEAF_SUBJECT_AS_NGINX,
  WEIRD_PEM,
  WEIRD_SUBJECT_AS_NGINX,
} from "./test-support/certificates.js";
import { codeOf } from "../test-support/outcome.js";

const DAY = 24 * 60 * 60 * 1000;
/** Thirty days into the fixture leaf's life. */
const NOW = LEAF_NOT_BEFORE.getTime() + 30 * DAY;
const secret = testSecret();
const scheme = standardWebhooks({ secret });
const PROXY = "10.0.0.2";
const SEED_KEY = "CN=payments-provider,O=Example,OU=tenant-42";
const LEAF_DER = decodeBase64(LEAF_PEM.replace(/-----[^-]+-----|\s/g, "")) as Uint8Array;
const escapedLeaf = encodeURIComponent(LEAF_PEM);

let messages = 0;
async function parts(headers: Record<string, string>, connection: ConnectionInfo | undefined, now = NOW) {
  const body = '{"type":"invoice.paid"}';
  const signed = await scheme.sign({ id: `msg_${++messages}`, timestamp: new Date(now), body });
  return {
    method: "POST",
    url: "https://receiver.test/webhooks",
    headers: { ...signed, ...headers },
    body: new TextEncoder().encode(body),
    connection,
  };
}

function verifier(options: Partial<VerifierOptions>, now = NOW) {
  return createVerifier({ scheme, now: () => now, trustedProxies: ["10.0.0.0/24"], ...options });
}

const tenantRules: TenantRule[] = [{ tenant: "tenant-42", subject: "/CN=payments-provider/O=Example/OU=tenant-42" }];
const proxied = (extra: Record<string, string> = {}) => ({
  "x-client-verify": "SUCCESS",
  "x-client-subject": LEAF_SUBJECT_AS_NGINX,
  "x-client-cert": escapedLeaf,
  ...extra,
});

describe("identity behind a trusted proxy", () => {
  it("maps the forwarded certificate to its tenant, with client IP and days until expiry", async () => {
    const events: WebhookEvent[] = [];
    const v = verifier({ identity: { tenants: tenantRules }, onEvent: (event) => void events.push(event) });
    const webhook = await v.verifyParts(
      await parts(proxied({ "x-forwarded-for": "198.51.100.23, 10.0.0.9" }), { remoteAddress: `::ffff:${PROXY}` }),
    );
    const days = Math.floor((LEAF_NOT_AFTER.getTime() - NOW) / DAY);
    expect(webhook.tenant).toBe("tenant-42");
    expect(webhook.clientIp).toBe("198.51.100.23");
    expect(webhook.certificate).toMatchObject({
      source: "proxy",
      subject: LEAF_SUBJECT_AS_NGINX,
      fingerprint256: LEAF_FINGERPRINT_OPENSSL.replaceAll(":", "").toLowerCase(),
      daysUntilExpiry: days,
    });
    expect(events[0]).toMatchObject({
      type: "verified",
      tenant: "tenant-42",
      clientIp: "198.51.100.23",
      certificateSubject: LEAF_SUBJECT_AS_NGINX,
      daysUntilExpiry: days,
    });
  });

  it("does not match the seed's key (RDNs in certificate order), and says why in the detail", async () => {
    const events: WebhookEvent[] = [];
    const v = verifier({
      identity: { tenants: [{ tenant: "tenant-42", subject: SEED_KEY }] },
      onEvent: (e) => void events.push(e),
    });
    expect(SEED_KEY).not.toBe(LEAF_SUBJECT_AS_NGINX);
    expect(await codeOf(v.verifyParts(await parts(proxied(), { remoteAddress: PROXY })))).toBe("unknown_tenant");
    expect(events[0]?.detail).toContain("another order");
  });

  it("maps by exact subject in any spelling of it", async () => {
    for (const subject of [
      LEAF_SUBJECT_AS_NGINX,
      "ou=tenant-42, o=Example, commonName=payments-provider",
      "/CN=payments-provider/O=Example/OU=tenant-42",
    ]) {
      const v = verifier({ identity: { tenants: [{ tenant: "t", subject }] } });
      expect((await v.verifyParts(await parts(proxied(), { remoteAddress: PROXY }))).tenant).toBe("t");
    }
  });

  it("maps by one attribute, with or without a fixed value, and by fingerprint pin", async () => {
    const byOu = verifier({ identity: { tenants: [{ attribute: "OU" }] } });
    expect((await byOu.verifyParts(await parts(proxied(), { remoteAddress: PROXY }))).tenant).toBe("tenant-42");
    const byValue = verifier({ identity: { tenants: [{ attribute: "ou", value: "tenant-42", tenant: "acme" }] } });
    expect((await byValue.verifyParts(await parts(proxied(), { remoteAddress: PROXY }))).tenant).toBe("acme");
    const pinned = verifier({ identity: { tenants: [{ tenant: "pinned", fingerprint: LEAF_FINGERPRINT_OPENSSL }] } });
    expect((await pinned.verifyParts(await parts(proxied(), { remoteAddress: PROXY }))).tenant).toBe("pinned");
    // A pin needs the whole certificate: a subject alone cannot match it.
    const subjectOnly = { "x-client-verify": "SUCCESS", "x-client-subject": LEAF_SUBJECT_AS_NGINX };
    expect(await codeOf(pinned.verifyParts(await parts(subjectOnly, { remoteAddress: PROXY })))).toBe("unknown_tenant");
  });

  it("accepts a forwarded subject without the certificate unless the whole certificate is required", async () => {
    const subjectOnly = { "x-client-verify": "SUCCESS", "x-client-subject": LEAF_SUBJECT_AS_NGINX };
    const lenient = verifier({ identity: { tenants: tenantRules } });
    const webhook = await lenient.verifyParts(await parts(subjectOnly, { remoteAddress: PROXY }));
    expect(webhook.tenant).toBe("tenant-42");
    expect(webhook.certificate?.daysUntilExpiry).toBeUndefined();
    const strict = verifier({ identity: { tenants: tenantRules, requireForwardedCertificate: true } });
    expect(await codeOf(strict.verifyParts(await parts(subjectOnly, { remoteAddress: PROXY })))).toBe(
      "client_certificate_invalid",
    );
  });

  it.each([["x-client-verify"], ["x-client-subject"], ["x-client-cert"]])(
    "refuses %s from a peer that is not a trusted proxy with untrusted_proxy",
    async (name) => {
      const v = verifier({ identity: { tenants: tenantRules, required: false } });
      const forged = { [name]: (proxied() as Record<string, string>)[name] as string };
      expect(await codeOf(v.verifyParts(await parts(forged, { remoteAddress: "203.0.113.9" })))).toBe(
        "untrusted_proxy",
      );
      // No trusted proxies configured at all, no peer address: still refused, not ignored.
      const noProxies = createVerifier({ scheme, now: () => NOW, identity: { tenants: tenantRules, required: false } });
      expect(await codeOf(noProxies.verifyParts(await parts(forged, undefined)))).toBe("untrusted_proxy");
    },
  );

  it("refuses forged headers even next to a real, verified TLS client certificate", async () => {
    const v = verifier({ identity: { tenants: tenantRules } });
    const connection = { remoteAddress: "203.0.113.9", peerCertificate: LEAF_DER, peerCertificateVerified: true };
    expect(await codeOf(v.verifyParts(await parts(proxied(), connection)))).toBe("untrusted_proxy");
  });

  it.each([
    [{ "x-client-verify": "NONE" }, "client_certificate_required"],
    [{ "x-client-verify": "FAILED:unable to verify the first certificate" }, "client_certificate_invalid"],
    [{ "x-client-verify": "FAILED:certificate has expired" }, "client_certificate_expired"],
    [{ "x-client-verify": "NONE", "x-client-subject": LEAF_SUBJECT_AS_NGINX }, "client_certificate_invalid"],
    [{ "x-client-subject": LEAF_SUBJECT_AS_NGINX }, "client_certificate_invalid"],
    [{ "x-client-verify": "SUCCESS" }, "client_certificate_invalid"],
    [{ "x-client-verify": "success", "x-client-subject": LEAF_SUBJECT_AS_NGINX }, "client_certificate_invalid"],
    [proxied({ "x-client-subject": "OU=tenant-7,O=Example,CN=payments-provider" }), "client_certificate_invalid"],
    [proxied({ "x-client-subject": "not a dn" }), "client_certificate_invalid"],
    [proxied({ "x-client-cert": "%ZZ" }), "client_certificate_invalid"],
    [
      proxied({ "x-client-subject": WEIRD_SUBJECT_AS_NGINX, "x-client-cert": encodeURIComponent(WEIRD_PEM) }),
      "unknown_tenant",
    ],
  ])("refuses proxy headers %j with %s", async (headers, code) => {
    const v = verifier({ identity: { tenants: tenantRules } });
    expect(await codeOf(v.verifyParts(await parts(headers, { remoteAddress: PROXY })))).toBe(code);
  });

  it("uses the header names it is given", async () => {
    const v = verifier({
      identity: {
        tenants: tenantRules,
        proxyHeaders: { verify: "SSL-Verify", subject: "ssl-dn", certificate: "ssl-cert" },
      },
    });
    const headers = { "ssl-verify": "SUCCESS", "ssl-dn": LEAF_SUBJECT_AS_NGINX, "ssl-cert": escapedLeaf };
    expect((await v.verifyParts(await parts(headers, { remoteAddress: PROXY }))).tenant).toBe("tenant-42");
    expect(await codeOf(v.verifyParts(await parts(headers, { remoteAddress: "203.0.113.9" })))).toBe("untrusted_proxy");
  });

  it("gives a WebhookError for any garbage in the proxy headers, never another exception", async () => {
    const v = verifier({ identity: { tenants: tenantRules } });
    const value = fc.oneof(
      fc.constantFrom("SUCCESS", "NONE", LEAF_SUBJECT_AS_NGINX, escapedLeaf),
      fc.string({ maxLength: 80 }),
      fc.string({ unit: "binary", maxLength: 80 }),
      fc.integer({ min: 0, max: escapedLeaf.length }).map((end) => escapedLeaf.slice(0, end)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { "x-client-verify": value, "x-client-subject": value, "x-client-cert": value },
          { requiredKeys: [] },
        ),
        async (headers) => {
          try {
            const webhook = await v.verifyParts(await parts(headers, { remoteAddress: PROXY }));
            expect(webhook.tenant).toBe("tenant-42");
          } catch (error) {
            expect(isWebhookError(error)).toBe(true);
            expect((error as WebhookError).status).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("identity from this process's TLS connection", () => {
  const connection = (overrides: Partial<ConnectionInfo> = {}): ConnectionInfo => ({
    remoteAddress: "203.0.113.9",
    peerCertificate: LEAF_DER,
    peerCertificateVerified: true,
    ...overrides,
  });

  it("maps a verified peer certificate, DER or PEM", async () => {
    const v = verifier({ identity: { tenants: tenantRules } });
    const webhook = await v.verifyParts(await parts({}, connection()));
    expect(webhook.tenant).toBe("tenant-42");
    expect(webhook.certificate?.source).toBe("connection");
    expect((await v.verifyParts(await parts({}, connection({ peerCertificate: LEAF_PEM })))).tenant).toBe("tenant-42");
  });

  it("refuses an unverified, expired or not yet valid certificate, and a missing one", async () => {
    const v = verifier({ identity: { tenants: tenantRules } });
    expect(await codeOf(v.verifyParts(await parts({}, connection({ peerCertificateVerified: false }))))).toBe(
      "client_certificate_invalid",
    );
    expect(await codeOf(v.verifyParts(await parts({}, connection({ peerCertificate: undefined }))))).toBe(
      "client_certificate_required",
    );
    expect(await codeOf(v.verifyParts(await parts({}, connection({ peerCertificate: new Uint8Array(0) }))))).toBe(
      "client_certificate_required",
    );
    const after = LEAF_NOT_AFTER.getTime() + 1000;
    expect(
      await codeOf(
        verifier({ identity: { tenants: tenantRules } }, after).verifyParts(await parts({}, connection(), after)),
      ),
    ).toBe("client_certificate_expired");
    const before = LEAF_NOT_BEFORE.getTime() - 1000;
    expect(
      await codeOf(
        verifier({ identity: { tenants: tenantRules } }, before).verifyParts(await parts({}, connection(), before)),
      ),
    ).toBe("client_certificate_invalid");
  });

  it("reports the days left, counting down to 0 on the last day", async () => {
    const lastDay = LEAF_NOT_AFTER.getTime() - 60_000;
    const webhook = await verifier({ identity: { tenants: tenantRules } }, lastDay).verifyParts(
      await parts({}, connection(), lastDay),
    );
    expect(webhook.certificate?.daysUntilExpiry).toBe(0);
  });

  it("lets requests without a certificate through when identity is optional", async () => {
    const v = verifier({ identity: { tenants: tenantRules, required: false } });
    const webhook = await v.verifyParts(await parts({}, connection({ peerCertificate: undefined })));
    expect(webhook.tenant).toBeUndefined();
    // a certificate that is there is still checked
    expect(await codeOf(v.verifyParts(await parts({}, connection({ peerCertificateVerified: false }))))).toBe(
      "client_certificate_invalid",
    );
  });
});

describe("rejection events carry what the access step had established", () => {
  it("an expired certificate: its subject and a negative days-until-expiry; a disabled tenant: the tenant; a refused IP: the IP", async () => {
    const events: WebhookEvent[] = [];
    const onEvent = (event: WebhookEvent) => void events.push(event);
    const after = LEAF_NOT_AFTER.getTime() + 3 * DAY + 1000;
    const expired = verifier({ identity: { tenants: tenantRules }, onEvent }, after);
    const connection = { remoteAddress: "203.0.113.9", peerCertificate: LEAF_DER, peerCertificateVerified: true };
    expect(await codeOf(expired.verifyParts(await parts({}, connection, after)))).toBe("client_certificate_expired");
    expect(events.at(-1)).toMatchObject({
      type: "rejected",
      code: "client_certificate_expired",
      clientIp: "203.0.113.9",
      certificateSubject: LEAF_SUBJECT_AS_NGINX,
      daysUntilExpiry: -4,
    });

    const tenants = createTenantDirectory(tenantRules, { disabled: ["tenant-42"] });
    const disabled = verifier({ identity: { tenants }, onEvent });
    expect(await codeOf(disabled.verifyParts(await parts(proxied(), { remoteAddress: PROXY })))).toBe(
      "tenant_disabled",
    );
    expect(events.at(-1)).toMatchObject({
      code: "tenant_disabled",
      tenant: "tenant-42",
      certificateSubject: LEAF_SUBJECT_AS_NGINX,
    });

    const allowlisted = verifier({ allowlist: ["198.51.100.0/24"], onEvent });
    expect(await codeOf(allowlisted.verifyParts(await parts({}, { remoteAddress: "::ffff:203.0.113.1" })))).toBe(
      "forbidden_ip",
    );
    expect(events.at(-1)).toMatchObject({ code: "forbidden_ip", clientIp: "203.0.113.1" });
  });
});

describe("tenants at run time", () => {
  it("disables and enables a tenant at once, and swaps rules, without a new verifier", async () => {
    const tenants = createTenantDirectory(tenantRules);
    const v = verifier({ identity: { tenants } });
    const request = async () => codeOf(v.verifyParts(await parts(proxied(), { remoteAddress: PROXY })));
    expect(await request()).toBe("accepted");
    tenants.disable("tenant-42");
    expect(tenants.isDisabled("tenant-42")).toBe(true);
    expect(await request()).toBe("tenant_disabled");
    tenants.enable("tenant-42");
    expect(await request()).toBe("accepted");
    tenants.replaceRules([{ tenant: "other", subject: "CN=someone-else" }]);
    expect(await request()).toBe("unknown_tenant");
    expect(() => tenants.replaceRules([{ tenant: "x", subject: "nonsense" }])).toThrowError(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(await request()).toBe("unknown_tenant"); // the old rules stay after a refused swap
  });

  it("asks a resolver function, which can say a tenant is disabled", async () => {
    const disabled = new Set<string>();
    const v = verifier({
      identity: {
        tenants: async (certificate) => {
          const ou = certificate.subjectName.flat().find((attribute) => attribute.type === "OU")?.value;
          return ou === undefined ? undefined : { tenant: ou, disabled: disabled.has(ou) };
        },
      },
    });
    expect((await v.verifyParts(await parts(proxied(), { remoteAddress: PROXY }))).tenant).toBe("tenant-42");
    disabled.add("tenant-42");
    expect(await codeOf(v.verifyParts(await parts(proxied(), { remoteAddress: PROXY })))).toBe("tenant_disabled");
  });

  // Rules are parsed as the access step loads (on demand, started when the verifier is
  // built): a rule that cannot be read refuses every request, never lets one through.
  it("refuses every request with invalid_options when a rule cannot be read", async () => {
    const bad: unknown[] = [
      [{ tenant: "x", subject: "" }],
      [{ tenant: "x", fingerprint: "ab:cd" }],
      [{ attribute: "favouriteColour" }],
      [{ subject: "CN=a" }],
      [{ tenant: "x" }],
      [
        { tenant: "a", subject: "CN=a" },
        { tenant: "b", subject: "cn=a" },
      ],
    ];
    for (const tenants of bad) {
      const v = verifier({ identity: { tenants: tenants as TenantRule[] }, trustedProxies: [PROXY] });
      for (let i = 0; i < 2; i++) {
        expect(await codeOf(v.verifyParts(await parts(proxied(), { remoteAddress: PROXY })))).toBe("invalid_options");
      }
    }
    // A directory is built by the app itself, so its rules are refused right there.
    expect(() => createTenantDirectory([{ tenant: "x", subject: "" }])).toThrowError(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });
});

describe("a certificate and a signature must name the same tenant", () => {
  it("verifies with the secret of the tenant the certificate names, and no other", async () => {
    const secrets: Record<string, string> = { "tenant-42": testSecret(), "tenant-7": testSecret() };
    const perTenant = standardWebhooks({
      secrets: ({ tenant }) => (tenant === undefined ? undefined : secrets[tenant]),
    });
    const v = createVerifier({
      scheme: perTenant,
      now: () => NOW,
      trustedProxies: [PROXY],
      identity: { tenants: [{ attribute: "OU" }] },
    });
    const body = "{}";
    const signedBy = async (tenant: string, id: string) =>
      standardWebhooks({ secret: secrets[tenant] as string }).sign({ id, timestamp: new Date(NOW), body });
    const send = async (headers: Record<string, string>) =>
      v.verifyParts({
        method: "POST",
        url: "https://r.test/",
        headers: { ...headers, ...proxied() },
        body: new TextEncoder().encode(body),
        connection: { remoteAddress: PROXY },
      });
    expect((await send(await signedBy("tenant-42", "m1"))).tenant).toBe("tenant-42");
    // tenant-7's valid signature does not pass with tenant-42's certificate
    expect(await codeOf(send(await signedBy("tenant-7", "m2")))).toBe("invalid_signature");
  });
});

describe("allowlist and rate limits", () => {
  it("refuses a client IP outside the allowlist, IPv4-mapped or not", async () => {
    const v = verifier({ allowlist: ["198.51.100.0/24", "2001:db8::/32"] });
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "::ffff:198.51.100.7" })))).toBe("accepted");
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "2001:db8::1" })))).toBe("accepted");
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "203.0.113.1" })))).toBe("forbidden_ip");
    // behind the trusted proxy, the forwarded client is what counts
    expect(
      await codeOf(v.verifyParts(await parts({ "x-forwarded-for": "198.51.100.7" }, { remoteAddress: PROXY }))),
    ).toBe("accepted");
    expect(
      await codeOf(v.verifyParts(await parts({ "x-forwarded-for": "203.0.113.1" }, { remoteAddress: PROXY }))),
    ).toBe("forbidden_ip");
    // an untrusted peer cannot claim an allowed address
    expect(
      await codeOf(v.verifyParts(await parts({ "x-forwarded-for": "198.51.100.7" }, { remoteAddress: "203.0.113.1" }))),
    ).toBe("forbidden_ip");
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "not-an-ip" })))).toBe("forbidden_ip");
  });

  it("needs the adapter to pass the peer address", async () => {
    const v = verifier({ allowlist: ["198.51.100.0/24"] });
    expect(await codeOf(v.verifyParts(await parts({}, undefined)))).toBe("invalid_options");
  });

  it("limits per tenant with 429 and a Retry-After value", async () => {
    const events: WebhookEvent[] = [];
    const v = verifier({
      identity: { tenants: [{ attribute: "OU" }] },
      rateLimit: { points: 2, durationSeconds: 30 },
      onEvent: (e) => void events.push(e),
    });
    const send = async (ip: string) =>
      v.verifyParts(await parts(proxied({ "x-forwarded-for": ip }), { remoteAddress: PROXY }));
    await send("198.51.100.1");
    await send("198.51.100.2");
    const error = await send("198.51.100.3").catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "rate_limited", status: 429 });
    expect((error as WebhookError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((error as WebhookError).retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(events.at(-1)).toMatchObject({
      type: "rejected",
      code: "rate_limited",
      retryAfterSeconds: (error as WebhookError).retryAfterSeconds,
    });
  });

  it("limits per client IP", async () => {
    const v = verifier({ rateLimit: { by: "ip", points: 1, durationSeconds: 60 } });
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "198.51.100.1" })))).toBe("accepted");
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "198.51.100.1" })))).toBe("rate_limited");
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "198.51.100.2" })))).toBe("accepted");
  });

  it("limits IPv6 clients by their /64: 1000 addresses in one network share a budget", async () => {
    const v = verifier({ rateLimit: { by: "ip", points: 10, durationSeconds: 60 } });
    const codes: string[] = [];
    for (let i = 1; i <= 1000; i++) {
      codes.push(
        await codeOf(
          v.verifyParts(
            await parts({}, { remoteAddress: `2001:db8:aa:bb:${i.toString(16)}::${(i * 31).toString(16)}` }),
          ),
        ),
      );
    }
    expect(codes.filter((code) => code === "accepted")).toHaveLength(10);
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "2001:db8:aa:bc::1" })))).toBe("accepted");
  });

  it("fails closed when a shared limiter's store fails", async () => {
    const v = verifier({
      rateLimit: { by: "ip", limiter: { consume: async () => Promise.reject(new Error("redis down")) } },
    });
    expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "198.51.100.1" })))).toBe(
      "rate_limiter_unavailable",
    );
  });

  it.each([
    [{ rateLimit: { points: 0 } }],
    [{ rateLimit: { by: "tenant" as const } }],
    [{ rateLimit: { by: "ip" as const, ipv6Prefix: 0 } }],
    [{ allowlist: "10.0.0.0/8" }],
    [{ trustedProxies: [42] }],
    [{ identity: { tenants: tenantRules, proxyHeaders: { verify: "bad header" } } }],
  ])("refuses options %j with invalid_options when the verifier is built", (options) => {
    expect(() => verifier(options as unknown as Partial<VerifierOptions>)).toThrowError(
      expect.objectContaining({ code: "invalid_options" }),
    );
  });

  it.each([[{ allowlist: ["10.0.0.0/99"] }], [{ trustedProxies: ["proxy.internal"] }]])(
    "refuses every request with invalid_options for CIDRs %j, parsed as the access step loads",
    async (options) => {
      const v = verifier(options);
      for (let i = 0; i < 2; i++) {
        expect(await codeOf(v.verifyParts(await parts({}, { remoteAddress: "198.51.100.1" })))).toBe("invalid_options");
      }
    },
  );
});
