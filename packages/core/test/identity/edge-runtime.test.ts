// The identity code and its dependencies (@peculiar/asn1-x509, ipaddr.js, the
// in-memory limiter of rate-limiter-flexible) bundled as an edge bundler would
// (no Node built-ins available) and run inside the edge runtime's VM: no Buffer,
// no process, no node: modules. The core:edge unit project loads dependencies
// through Node; this proves they work without it.
import { EdgeVM } from "@edge-runtime/vm";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { LEAF_PEM, LEAF_SUBJECT_AS_NGINX } from "../../src/identity/test-support/certificates.js";

// The root and the identity helpers it leaves to `@hooksec/core/identity`.
const entry = {
  contents: 'export * from "./index.ts"; export { createIpMatcher, parseCertificate } from "./identity/index.ts";',
  resolveDir: new URL("../../src/", import.meta.url).pathname,
  loader: "ts" as const,
};

describe("identity in the edge runtime VM", () => {
  let vm: EdgeVM;

  beforeAll(async () => {
    const bundle = await build({
      stdin: entry,
      bundle: true,
      write: false,
      format: "iife",
      globalName: "hooksec",
      platform: "browser",
      target: "es2022",
      conditions: ["hooksec-source", "hooksec-web", "edge-light", "worker"],
      logLevel: "silent",
    });
    vm = new EdgeVM();
    vm.evaluate(bundle.outputFiles[0]?.text ?? "");
    vm.context.LEAF_PEM = LEAF_PEM;
  });

  it("has no Node globals", () => {
    expect(vm.evaluate("typeof Buffer + ' ' + typeof process + ' ' + typeof require")).toBe(
      "undefined undefined undefined",
    );
  });

  it("parses the certificate, maps the tenant, matches CIDRs and rate limits", async () => {
    const outcome = await vm.evaluate(`(async () => {
      const { createVerifier, standardWebhooks, parseCertificate, createIpMatcher } = hooksec;
      const secret = "whsec_" + btoa("edge-secret-edge-secret!");
      const certificate = await parseCertificate(encodeURIComponent(LEAF_PEM));
      const verifier = createVerifier({
        scheme: standardWebhooks({ secret }),
        trustedProxies: ["10.0.0.0/8"],
        identity: { tenants: [{ tenant: "tenant-42", subject: "/CN=payments-provider/O=Example/OU=tenant-42" }] },
        rateLimit: { points: 1, durationSeconds: 60 },
      });
      const deliver = async (id) => {
        const body = "{}";
        const signed = await standardWebhooks({ secret }).sign({ id, timestamp: new Date(), body });
        const headers = new Headers({ ...signed, "x-client-verify": "SUCCESS", "x-client-cert": encodeURIComponent(LEAF_PEM), "x-forwarded-for": "2001:db8::7" });
        return verifier.verify(new Request("https://edge.test/", { method: "POST", headers, body }), { remoteAddress: "::ffff:10.1.2.3" });
      };
      const webhook = await deliver("m1");
      let limited;
      try { await deliver("m2"); } catch (error) { limited = [error.code, error.retryAfterSeconds > 0]; }
      return {
        subject: certificate.subject,
        tenant: webhook.tenant,
        clientIp: webhook.clientIp,
        days: typeof webhook.certificate.daysUntilExpiry,
        mapped: createIpMatcher(["192.0.2.0/24"], "allowlist")("::ffff:192.0.2.1"),
        limited,
      };
    })()`);
    expect(outcome).toEqual({
      subject: LEAF_SUBJECT_AS_NGINX,
      tenant: "tenant-42",
      clientIp: "2001:db8::7",
      days: "number",
      mapped: true,
      limited: ["rate_limited", true],
    });
  });
});
