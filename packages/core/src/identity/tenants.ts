import { WebhookError } from "../errors/webhook-error.js";
import type { Awaitable } from "../lib/awaitable.js";
import { canonicalAttributeType } from "./attribute-types.js";
import { normalizeFingerprint } from "./certificate.js";
import {
  type DistinguishedName,
  dnAttributeValues,
  formatDistinguishedName,
  parseDistinguishedName,
} from "./distinguished-name.js";

/** The client certificate as the access step established it. */
export interface ClientCertificateInfo {
  /** `connection`: this process terminated TLS; `proxy`: a trusted proxy forwarded it in headers. */
  readonly source: "connection" | "proxy";
  /** Subject in canonical RFC 4514 form. */
  readonly subject: string;
  readonly subjectName: DistinguishedName;
  /** Known when the certificate itself was seen (direct TLS, or the proxy forwarded it whole). */
  readonly issuer?: string;
  readonly fingerprint256?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Whole days left before `notAfter` (0 on the last day): alert on it before deliveries stop. */
  readonly daysUntilExpiry?: number;
}

/** Maps certificates to tenants by one of: exact subject, a pinned fingerprint, one attribute. */
export type TenantRule =
  | {
      readonly tenant: string;
      /** The subject in any spelling: RFC 4514 (`OU=tenant-42,O=Example,CN=x`) or OpenSSL's `/CN=x/O=Example/OU=tenant-42`. */
      readonly subject: string;
      readonly disabled?: boolean;
    }
  | {
      readonly tenant: string;
      /** SHA-256 of the DER certificate: hex, colons and `sha256:` allowed. Needs the whole certificate. */
      readonly fingerprint: string;
      readonly disabled?: boolean;
    }
  | {
      /** Defaults to the attribute's value. */
      readonly tenant?: string;
      /** An attribute type such as `OU`; the certificate must carry it exactly once. */
      readonly attribute: string;
      /** Match only this value; without it, any value names the tenant itself. */
      readonly value?: string;
      readonly disabled?: boolean;
    };

/** A tenant found for a certificate; `disabled` ones are refused with `tenant_disabled`. */
export interface TenantMatch {
  readonly tenant: string;
  readonly disabled?: boolean;
}

/** Your own mapping (a database, a cache): return the tenant, or `undefined` for an unknown certificate. */
export type TenantResolver = (certificate: ClientCertificateInfo) => Awaitable<TenantMatch | string | undefined>;

/**
 * Certificate-to-tenant rules that can change while the process runs: disable a
 * tenant during an incident, enable it again, or replace the rules, without a restart.
 */
export interface TenantDirectory {
  /** The tenant the rules give a client certificate (by subject or fingerprint); `undefined` when none matches. */
  resolve(certificate: ClientCertificateInfo): TenantMatch | undefined;
  /** Refuses the tenant's requests from now on (`tenant_disabled`, 403). */
  disable(tenant: string): void;
  /** Accepts a disabled tenant's requests again. */
  enable(tenant: string): void;
  /** Whether the tenant is currently disabled. */
  isDisabled(tenant: string): boolean;
  /** Swaps in new rules atomically; throws `invalid_options` (and keeps the old ones) if one is invalid. */
  replaceRules(rules: readonly TenantRule[]): void;
  /** Subjects of the rules that list the same attributes as `subject` in another order (for diagnostics). */
  reorderedSubjects(subject: string): string[];
}

interface CompiledRules {
  readonly bySubject: Map<string, TenantMatch>;
  readonly byFingerprint: Map<string, TenantMatch>;
  readonly byAttribute: readonly {
    type: string;
    value: string | undefined;
    tenant: string | undefined;
    disabled: boolean;
  }[];
  readonly sortedSubjects: Map<string, string[]>;
}

/**
 * Builds a tenant directory. Rules are tried most specific first: fingerprint
 * pins, then exact subjects, then attributes in the order given.
 *
 * @example
 * const tenants = createTenantDirectory([
 *   { tenant: "tenant-42", subject: "/CN=payments-provider/O=Example/OU=tenant-42" },
 *   { attribute: "OU" }, // any other certificate of the CA: its OU is the tenant
 * ]);
 * tenants.disable("tenant-42"); // incident response: refused from the next request on
 */
export function createTenantDirectory(
  rules: readonly TenantRule[],
  options: { readonly disabled?: Iterable<string> } = {},
): TenantDirectory {
  let compiled = compileRules(rules);
  const disabled = new Set<string>(options.disabled ?? []);
  return {
    resolve(certificate) {
      const match = matchRules(compiled, certificate);
      if (match === undefined) return undefined;
      return disabled.has(match.tenant) ? { tenant: match.tenant, disabled: true } : match;
    },
    disable(tenant) {
      disabled.add(tenant);
    },
    enable(tenant) {
      disabled.delete(tenant);
    },
    isDisabled(tenant) {
      return disabled.has(tenant);
    },
    replaceRules(next) {
      compiled = compileRules(next);
    },
    reorderedSubjects(subject) {
      try {
        const key = sortedKey(parseDistinguishedName(subject));
        return (compiled.sortedSubjects.get(key) ?? []).filter((candidate) => candidate !== subject);
      } catch {
        return [];
      }
    },
  };
}

/** True for a value built by `createTenantDirectory`. */
export function isTenantDirectory(value: unknown): value is TenantDirectory {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as TenantDirectory).resolve === "function" &&
    typeof (value as TenantDirectory).disable === "function"
  );
}

function matchRules(rules: CompiledRules, certificate: ClientCertificateInfo): TenantMatch | undefined {
  if (certificate.fingerprint256 !== undefined) {
    const pinned = rules.byFingerprint.get(certificate.fingerprint256);
    if (pinned !== undefined) return pinned;
  }
  const bySubject = rules.bySubject.get(certificate.subject);
  if (bySubject !== undefined) return bySubject;
  for (const rule of rules.byAttribute) {
    const values = dnAttributeValues(certificate.subjectName, rule.type);
    // Zero or several values: no single answer, so no tenant.
    if (values.length !== 1) continue;
    const value = values[0] as string;
    if (rule.value !== undefined && value !== rule.value) continue;
    if (value === "" && rule.tenant === undefined) continue;
    return { tenant: rule.tenant ?? value, disabled: rule.disabled };
  }
  return undefined;
}

function compileRules(rules: readonly TenantRule[]): CompiledRules {
  if (!Array.isArray(rules)) throw new WebhookError("invalid_options", "identity.tenants must be an array of rules");
  const bySubject = new Map<string, TenantMatch>();
  const byFingerprint = new Map<string, TenantMatch>();
  const byAttribute: CompiledRules["byAttribute"][number][] = [];
  const sortedSubjects = new Map<string, string[]>();
  rules.forEach((rule, index) => {
    const where = `identity.tenants[${index}]`;
    if (typeof rule !== "object" || rule === null) throw new WebhookError("invalid_options", `${where} is not a rule`);
    const disabled = rule.disabled === true;
    if (rule.tenant !== undefined && (typeof rule.tenant !== "string" || rule.tenant === "")) {
      throw new WebhookError("invalid_options", `${where}.tenant must be a non-empty string`);
    }
    if ("subject" in rule && rule.subject !== undefined) {
      let name: DistinguishedName;
      try {
        name = parseDistinguishedName(rule.subject);
      } catch (cause) {
        throw new WebhookError("invalid_options", `${where}.subject is not a distinguished name`, { cause });
      }
      if (name.length === 0) throw new WebhookError("invalid_options", `${where}.subject is empty`);
      const subject = formatDistinguishedName(name);
      addUnique(bySubject, subject, { tenant: rule.tenant, disabled }, `${where}.subject`);
      const key = sortedKey(name);
      sortedSubjects.set(key, [...(sortedSubjects.get(key) ?? []), subject]);
    } else if ("fingerprint" in rule && rule.fingerprint !== undefined) {
      const fingerprint = normalizeFingerprint(rule.fingerprint);
      if (fingerprint === undefined)
        throw new WebhookError("invalid_options", `${where}.fingerprint is not a SHA-256 fingerprint`);
      addUnique(byFingerprint, fingerprint, { tenant: rule.tenant, disabled }, `${where}.fingerprint`);
    } else if ("attribute" in rule && rule.attribute !== undefined) {
      const type = typeof rule.attribute === "string" ? canonicalAttributeType(rule.attribute) : undefined;
      if (type === undefined) throw new WebhookError("invalid_options", `${where}.attribute is not an attribute type`);
      if (rule.value !== undefined && typeof rule.value !== "string") {
        throw new WebhookError("invalid_options", `${where}.value must be a string`);
      }
      byAttribute.push({ type, value: rule.value, tenant: rule.tenant ?? rule.value, disabled });
    } else {
      throw new WebhookError("invalid_options", `${where} needs one of subject, fingerprint, attribute`);
    }
    if (!("attribute" in rule) && rule.tenant === undefined)
      throw new WebhookError("invalid_options", `${where}.tenant is required`);
  });
  return { bySubject, byFingerprint, byAttribute, sortedSubjects };
}

function addUnique(
  map: Map<string, TenantMatch>,
  key: string,
  match: { tenant: string | undefined; disabled: boolean },
  where: string,
) {
  if (match.tenant === undefined) throw new WebhookError("invalid_options", `${where}: the rule needs a tenant`);
  const existing = map.get(key);
  if (existing !== undefined && existing.tenant !== match.tenant) {
    throw new WebhookError("invalid_options", `${where} maps a certificate already mapped to another tenant`);
  }
  map.set(key, { tenant: match.tenant, disabled: match.disabled });
}

/** The RDNs sorted: equal for two DNs that differ only in RDN order. */
function sortedKey(name: DistinguishedName): string {
  return name
    .map((rdn) => formatDistinguishedName([rdn]))
    .sort()
    .join(",");
}
