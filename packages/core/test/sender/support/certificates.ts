// Test certificates made with the openssl binary (@hooksec/testkit): a CA, a
// server certificate, a client certificate, and a client certificate from another CA.
import { createPki } from "@hooksec/testkit";

/** Whether openssl can be run; a test without it skips locally and fails under CI=true. */
export { hasOpenssl as opensslAvailable } from "@hooksec/testkit";

interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface TestCertificates {
  readonly ca: string;
  readonly server: Pem;
  readonly client: Pem;
  readonly rogueClient: Pem;
  cleanup(): void;
}

export function createTestCertificates(serverNames: {
  dns: readonly string[];
  ip: readonly string[];
}): TestCertificates {
  const pki = createPki("hooksec-sender-certs-");
  const ca = pki.createAuthority("ca", { subject: "/CN=hooksec sender test CA", days: 2 });
  const rogue = pki.createAuthority("rogue-ca", { subject: "/CN=someone else's CA", days: 2 });
  return {
    ca: ca.cert,
    server: ca.issueServer("server", { subject: "/CN=receiver", ...serverNames }),
    client: ca.issueClient("client", "/CN=sender-acme"),
    rogueClient: rogue.issueClient("rogue", "/CN=sender-acme"),
    cleanup: pki.cleanup,
  };
}
