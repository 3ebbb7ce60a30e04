// Step 1: who is calling (client IP allowlist, client certificate → tenant, rate
// limits), decided before any signature work. The policy itself lives in identity/,
// beside the certificate, proxy-header and tenant code it uses, and is imported on
// demand: a verifier without access options never loads (or bundles into its
// startup chunk) the X.509, IP and rate-limit code.
import { checkAccessOptions, hasAccessOptions } from "../../identity/access-options.js";
import type { AccessCheck } from "../../identity/access-result.js";
import type { VerifierOptions } from "../types.js";

export { type AccessResult, establishedBefore } from "../../identity/access-result.js";

/**
 * The access step, or `undefined` when no access option is set. The options' shape is
 * checked now; CIDRs and tenant rules are parsed as the policy loads, which starts now,
 * so a mistake there refuses every request with `invalid_options` (500, fail closed).
 */
export function createAccessCheck(options: VerifierOptions): AccessCheck | undefined {
  if (!hasAccessOptions(options)) return undefined;
  checkAccessOptions(options);
  const policy = import("../../identity/access-policy.js").then((loaded) => loaded.createAccessCheck(options));
  // Reported on every verification instead; not an unhandled rejection meanwhile.
  policy.catch(() => undefined);
  let ready: AccessCheck | undefined;
  return async (parts, header) => {
    ready ??= await policy;
    return ready(parts, header);
  };
}
