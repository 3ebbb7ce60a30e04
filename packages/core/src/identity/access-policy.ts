import { WebhookError, isWebhookError } from "../errors/webhook-error.js";
import { BoundedCache } from "./bounded-cache.js";
import { createCertificateParser, type ParsedCertificate } from "./certificate.js";
import { resolveClientIp } from "./client-ip.js";
import { type DistinguishedName, formatDistinguishedName, parseDistinguishedName } from "./distinguished-name.js";
import type { IdentityOptions } from "./identity-options.js";
import { createIpMatcher, parseIpAddress } from "./ip.js";
import { createRateLimit } from "./rate-limit.js";
import {
  type ClientCertificateInfo,
  createTenantDirectory,
  isTenantDirectory,
  type TenantDirectory,
  type TenantMatch,
} from "./tenants.js";
import type { HeaderReader } from "../lib/headers.js";
import type { ConnectionInfo, VerifierOptions, WebhookParts } from "../verifier/types.js";
import { identityHeaderNames, rateLimitKey } from "./access-options.js";
import { type AccessCheck, type AccessResult, recordEstablished } from "./access-result.js";

/** Filled in as the access step learns things, so a refusal can still be logged with them. */
interface Progress {
  tenant: string | undefined;
  clientIp?: string | undefined;
  certificate?: ClientCertificateInfo | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const FORWARDED_FOR = "x-forwarded-for";

/**
 * Builds the access step from the options (loaded on demand by the verifier's access
 * step, only when one is set). Order: peer address → client IP → allowlist → per-IP rate limit → certificate →
 * tenant → per-tenant rate limit, so the cheapest refusals come first.
 */
export function createAccessCheck(options: VerifierOptions): AccessCheck {
  const { identity, allowlist, trustedProxies, rateLimit } = options;
  const now = options.now ?? Date.now;
  const isTrustedProxy = trustedProxies === undefined ? () => false : createIpMatcher(trustedProxies, "trustedProxies");
  const isAllowed = allowlist === undefined ? undefined : createIpMatcher(allowlist, "allowlist");
  const limitBy = rateLimitKey(options);
  const consume = rateLimit === undefined ? undefined : createRateLimit(rateLimit);
  const needsAddress =
    trustedProxies !== undefined || allowlist !== undefined || (consume !== undefined && limitBy === "ip");
  const certificates = identity === undefined ? undefined : createCertificateCheck(identity, now);

  async function check(parts: WebhookParts, header: HeaderReader, progress: Progress): Promise<AccessResult> {
    const connection = parts.connection;
    let peer: string | undefined;
    if (connection?.remoteAddress !== undefined) {
      peer = parseIpAddress(connection.remoteAddress);
      if (peer === undefined) throw new WebhookError("forbidden_ip", "the peer address is not an IP address");
    } else if (needsAddress) {
      throw new WebhookError(
        "invalid_options",
        "the adapter must pass connection.remoteAddress for allowlist, trustedProxies or rateLimit",
      );
    }
    const trusted = peer !== undefined && isTrustedProxy(peer);
    const clientIp = peer === undefined ? undefined : resolveClientIp(peer, header(FORWARDED_FOR), isTrustedProxy);
    progress.clientIp = clientIp;
    if (isAllowed !== undefined && (clientIp === undefined || !isAllowed(clientIp))) {
      throw new WebhookError("forbidden_ip", `client ${clientIp ?? "(unknown)"} is not in the allowlist`);
    }
    if (consume !== undefined && limitBy === "ip") await consume(`ip:${clientIp}`);
    if (certificates === undefined) return { tenant: undefined, clientIp };
    const { tenant, certificate } = await certificates(connection, header, trusted, peer, progress);
    if (consume !== undefined && limitBy === "tenant") {
      await consume(tenant !== undefined ? `tenant:${tenant}` : `ip:${clientIp ?? "unknown"}`);
    }
    return { tenant, clientIp, certificate };
  }

  return async (parts, header) => {
    const progress: Progress = { tenant: undefined };
    try {
      return await check(parts, header, progress);
    } catch (error) {
      recordEstablished(error, { ...progress });
      throw error;
    }
  };
}

type CertificateCheck = (
  connection: ConnectionInfo | undefined,
  header: HeaderReader,
  trustedPeer: boolean,
  peer: string | undefined,
  progress: Progress,
) => Promise<{ tenant: string | undefined; certificate: ClientCertificateInfo | undefined }>;

function createCertificateCheck(identity: IdentityOptions, now: () => number): CertificateCheck {
  const names = identityHeaderNames(identity);
  const required = identity.required !== false;
  const requireWhole = identity.requireForwardedCertificate === true;
  const { tenants } = identity;
  const directory: TenantDirectory | undefined = Array.isArray(tenants)
    ? createTenantDirectory(tenants)
    : isTenantDirectory(tenants)
      ? tenants
      : undefined;
  const resolver = directory === undefined ? tenants : undefined;
  const parseCertificate = createCertificateParser();
  const forwardedSubjects = new BoundedCache<{ subject: string; name: DistinguishedName }>(256);
  if (directory === undefined && typeof resolver !== "function") {
    throw new WebhookError("invalid_options", "identity.tenants must be rules, a directory or a resolver function");
  }

  async function lookUp(certificate: ClientCertificateInfo): Promise<TenantMatch | undefined> {
    if (directory !== undefined) return directory.resolve(certificate);
    let found: TenantMatch | string | undefined;
    try {
      found = await (resolver as (certificate: ClientCertificateInfo) => TenantMatch | string | undefined)(certificate);
    } catch (cause) {
      throw isWebhookError(cause)
        ? cause
        : new WebhookError("invalid_options", "the tenant resolver failed", { cause });
    }
    if (typeof found === "string") return found === "" ? undefined : { tenant: found };
    return found;
  }

  async function fromProxyHeaders(
    verify: string | undefined,
    subject: string | undefined,
    whole: string | undefined,
    requireWhole: boolean,
    now: number,
  ): Promise<ClientCertificateInfo | undefined> {
    const status = verify?.trim();
    if (status === undefined) {
      throw new WebhookError(
        "client_certificate_invalid",
        "the proxy forwarded a certificate without its verification status",
      );
    }
    if (status === "NONE") {
      if (subject !== undefined || whole !== undefined) {
        throw new WebhookError("client_certificate_invalid", "the proxy says NONE but forwarded a certificate");
      }
      return undefined;
    }
    if (status !== "SUCCESS") {
      // nginx: "FAILED:certificate has expired" and the like.
      const expired = /expired/i.test(status);
      throw new WebhookError(
        expired ? "client_certificate_expired" : "client_certificate_invalid",
        `the proxy did not verify the certificate: ${status.slice(0, 200)}`,
      );
    }
    let forwardedSubject: string | undefined;
    if (subject !== undefined) {
      try {
        forwardedSubject = canonicalForwardedSubject(subject).subject;
      } catch (cause) {
        throw new WebhookError("client_certificate_invalid", "the forwarded subject is not a distinguished name", {
          cause,
        });
      }
    }
    if (whole !== undefined && whole !== "") {
      const parsed = await parseCertificate(whole);
      if (forwardedSubject !== undefined && forwardedSubject !== parsed.subject) {
        throw new WebhookError(
          "client_certificate_invalid",
          "the forwarded subject is not the forwarded certificate's subject",
        );
      }
      return describe(parsed, "proxy", now);
    }
    if (requireWhole)
      throw new WebhookError("client_certificate_invalid", "the proxy did not forward the whole certificate");
    if (forwardedSubject === undefined || subject === undefined) {
      throw new WebhookError(
        "client_certificate_invalid",
        "the proxy verified a certificate but forwarded neither subject nor certificate",
      );
    }
    return { source: "proxy", subject: forwardedSubject, subjectName: canonicalForwardedSubject(subject).name };
  }

  function canonicalForwardedSubject(subject: string): { subject: string; name: DistinguishedName } {
    return forwardedSubjects.getOrCompute(subject, () => {
      const name = parseDistinguishedName(subject, "rfc4514");
      // Shared by every request with this subject: nobody may change it.
      for (const rdn of name) for (const attribute of rdn) Object.freeze(attribute);
      for (const rdn of name) Object.freeze(rdn);
      return { subject: formatDistinguishedName(name), name: Object.freeze(name) };
    });
  }

  return async (connection, header, trustedPeer, peer, progress) => {
    const verify = header(names.verify);
    const subject = header(names.subject);
    const whole = header(names.certificate);
    let certificate: ClientCertificateInfo | undefined;
    if (verify !== undefined || subject !== undefined || whole !== undefined) {
      // Never trust these headers from anyone but the proxy, and never ignore them either:
      // a caller that sends them is trying something.
      if (!trustedPeer) {
        throw new WebhookError(
          "untrusted_proxy",
          `client certificate headers from ${peer ?? "an unknown peer"}, which is not a trusted proxy`,
        );
      }
      certificate = await fromProxyHeaders(verify, subject, whole, requireWhole, now());
    } else if (hasPeerCertificate(connection)) {
      certificate = describe(
        await parseCertificate(connection.peerCertificate as Uint8Array | string),
        "connection",
        now(),
      );
    }
    progress.certificate = certificate;
    if (certificate !== undefined) checkValidity(certificate, now());
    // Checked after expiry, so an expired certificate is reported as such.
    if (certificate?.source === "connection" && connection?.peerCertificateVerified !== true) {
      throw new WebhookError(
        "client_certificate_invalid",
        "the TLS stack did not verify the client certificate against the CA",
      );
    }
    if (certificate === undefined) {
      if (required) throw new WebhookError("client_certificate_required", "no client certificate was presented");
      return { tenant: undefined, certificate: undefined };
    }
    const match = await lookUp(certificate);
    if (match === undefined || typeof match.tenant !== "string" || match.tenant === "") {
      const reordered = directory?.reorderedSubjects(certificate.subject) ?? [];
      const hint =
        reordered.length > 0 ? `; a rule lists the same RDNs in another order: ${reordered.join(" | ")}` : "";
      throw new WebhookError("unknown_tenant", `no tenant for the certificate ${certificate.subject}${hint}`);
    }
    progress.tenant = match.tenant;
    if (match.disabled === true) throw new WebhookError("tenant_disabled", `tenant ${match.tenant} is disabled`);
    return { tenant: match.tenant, certificate };
  };
}

function describe(
  parsed: ParsedCertificate,
  source: ClientCertificateInfo["source"],
  now: number,
): ClientCertificateInfo {
  return {
    source,
    subject: parsed.subject,
    subjectName: parsed.subjectName,
    issuer: parsed.issuer,
    fingerprint256: parsed.fingerprint256,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    // Negative once expired: the rejection event carries it too.
    daysUntilExpiry: Math.floor((parsed.notAfter.getTime() - now) / DAY_MS),
  };
}

function checkValidity(certificate: ClientCertificateInfo, now: number): void {
  const { notAfter, notBefore, subject } = certificate;
  if (notAfter !== undefined && notAfter.getTime() < now) {
    const days = Math.ceil((now - notAfter.getTime()) / DAY_MS);
    throw new WebhookError(
      "client_certificate_expired",
      `certificate ${subject} expired ${notAfter.toISOString()} (${days} day(s) ago)`,
    );
  }
  if (notBefore !== undefined && notBefore.getTime() > now) {
    throw new WebhookError(
      "client_certificate_invalid",
      `certificate ${subject} is not valid before ${notBefore.toISOString()}`,
    );
  }
}

function hasPeerCertificate(connection: ConnectionInfo | undefined): connection is ConnectionInfo {
  const certificate = connection?.peerCertificate;
  return certificate !== undefined && certificate !== null && certificate.length > 0;
}
