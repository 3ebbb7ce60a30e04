// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate,
// made with openssl (@hooksec/testkit).
import { createPki } from "@hooksec/testkit";

/** True when `openssl` can be run; tests skip without it locally and fail under CI. */
export { hasOpenssl } from "@hooksec/testkit";

export interface TestCertificates {
  readonly ca: string;
  readonly serverKey: string;
  readonly serverCert: string;
  readonly clientKey: string;
  readonly clientCert: string;
  /** DER bytes of the client certificate, as the adapter should pass them on. */
  readonly clientCertDer: Uint8Array;
  cleanup(): void;
}

export function makeCertificates(clientName = "tenant-a"): TestCertificates {
  const pki = createPki("hooksec-koa-certs-");
  const ca = pki.createAuthority("hooksec test CA", { days: 2 });
  const server = ca.issueServer("server");
  const client = ca.issueClient("client", `/CN=${clientName}`);
  return {
    ca: ca.cert,
    serverKey: server.key,
    serverCert: server.cert,
    clientKey: client.key,
    clientCert: client.cert,
    clientCertDer: client.der,
    cleanup: pki.cleanup,
  };
}
