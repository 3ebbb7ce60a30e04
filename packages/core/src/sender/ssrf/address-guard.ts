import { type IPv4, type IPv6, ipaddr } from "./ipaddr.js";
import { WebhookError } from "../../errors/webhook-error.js";
import { type AddressClassification, classifyAddress, parseIpAddress } from "./classify-address.js";

/** Options of SSRF protection; on by default with no exceptions. */
export interface SsrfOptions {
  /**
   * CIDR ranges opted back in, e.g. `["10.20.0.0/16"]` for an internal receiver or
   * `["127.0.0.0/8", "::1/128"]` for local development and tests.
   */
  readonly allowCidrs?: readonly string[];
  /** Allow `http:` endpoints. Off by default: only `https:` is sent to. */
  readonly allowHttp?: boolean;
}

/**
 * Decides whether an address may be connected to. Transports call `check` on the
 * very address they connect to, after resolving, so DNS rebinding cannot swap it.
 */
export interface AddressGuard {
  /** Throws `WebhookError("ssrf_blocked")` unless the address is public or in `allowCidrs`. */
  check(address: string): AddressClassification;
  /** Whether `http:` endpoints are allowed. */
  readonly allowHttp: boolean;
}

type Cidr = [IPv4 | IPv6, number];

/**
 * Builds the guard from the sender's options.
 *
 * @example
 * const guard = createAddressGuard({ allowCidrs: ["127.0.0.0/8"] });
 * guard.check("127.0.0.1"); // allowed
 * guard.check("10.0.0.1"); // throws WebhookError ssrf_blocked
 */
export function createAddressGuard(options: SsrfOptions = {}): AddressGuard {
  const allowed: Cidr[] = (options.allowCidrs ?? []).map((cidr) => {
    try {
      return ipaddr.parseCIDR(cidr);
    } catch (cause) {
      throw new WebhookError("invalid_options", `allowCidrs entry ${JSON.stringify(cidr)} is not a CIDR range`, {
        cause,
      });
    }
  });
  const inAllowlist = (address: string | undefined): boolean => {
    if (address === undefined) return false;
    const parsed = parseIpAddress(address);
    return (
      parsed !== undefined &&
      allowed.some(([network, bits]) => parsed.kind() === network.kind() && parsed.match(network, bits))
    );
  };
  return {
    allowHttp: options.allowHttp === true,
    check(address) {
      const classification = classifyAddress(address);
      if (classification === undefined)
        throw new WebhookError("ssrf_blocked", `${JSON.stringify(address)} is not an IP address`);
      if (classification.category === "public") return classification;
      if (inAllowlist(classification.address) || inAllowlist(classification.embeddedIPv4)) return classification;
      throw new WebhookError("ssrf_blocked", `${classification.address} is ${classification.category}`);
    },
  };
}
