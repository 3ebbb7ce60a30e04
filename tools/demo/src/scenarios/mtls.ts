// Client certificates → tenants, with Node terminating TLS: who may call, and
// which tenant's key must have signed.
import type { HttpScenario } from "./http-scenario.js";
import type { Certificates, Example } from "./koa-example.js";

export function mtlsScenarios(example: Example, certificates: Certificates): HttpScenario[] {
  const { sign, send } = example;
  const invoice = () => sign("acme", { type: "invoice.paid" });

  return [
    {
      name: "globex delivers order.created",
      expect: { status: 204 },
      why: "valid certificate → tenant globex, signed with globex's key",
      run: async () => send(await sign("globex", { type: "order.created" }), certificates.globex),
    },
    {
      name: "no client certificate",
      expect: { status: 401, code: "client_certificate_required" },
      run: async () => send(await invoice(), null),
    },
    {
      name: "acme's name on a certificate from a rogue CA",
      expect: { status: 401, code: "client_certificate_invalid" },
      run: async () => send(await invoice(), certificates.impostor),
    },
    {
      name: "forged proxy headers claiming acme",
      expect: { status: 403, code: "untrusted_proxy" },
      run: async () => {
        const sent = await invoice();
        const forged = { "x-client-verify": "SUCCESS", "x-client-subject": "OU=acme,O=Acme,CN=acme-sender" };
        return send({ ...sent, headers: { ...sent.headers, ...forged } }, null);
      },
    },
    {
      name: "wrong tenant: globex's certificate, acme's signature",
      expect: { status: 401, code: "invalid_signature" },
      run: async () => send(await invoice(), certificates.globex),
    },
    {
      name: "trusted CA, but no tenant for the certificate",
      expect: { status: 403, code: "unknown_tenant" },
      run: async () => send(await invoice(), certificates.stranger),
    },
  ];
}
