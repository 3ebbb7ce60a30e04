// Step 1: who is calling (client IP allowlist, client certificate → tenant, rate
// limits), decided before any signature work. The policy itself lives in
// identity/, beside the certificate, proxy-header and tenant code it uses.
export { type AccessCheck, type AccessResult, createAccessCheck, establishedBefore } from "../../identity/access-policy.js";
