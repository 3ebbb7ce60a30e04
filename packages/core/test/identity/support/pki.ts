// The identity tests' PKI, made with the openssl binary (@hooksec/testkit) as
// the seeds do it: a CA, the producer's key and CSR
// `/CN=payments-provider/O=Example/OU=tenant-42` signed for 90 days, the same
// subject already expired, a leaf from another CA, and a server certificate
// for 127.0.0.1.
import { createPki, type KeyPair } from "@hooksec/testkit";

export { findBinary } from "@hooksec/testkit";

export const PRODUCER_SUBJECT = "/CN=payments-provider/O=Example/OU=tenant-42";

export interface TestPki {
  readonly dir: string;
  readonly caPath: string;
  readonly ca: string;
  readonly server: KeyPair;
  /** 90 days, signed by the CA. */
  readonly producer: KeyPair;
  /** Same subject and CA, validity over a year ago. */
  readonly expired: KeyPair;
  /** Same subject, signed by a CA nobody trusts. */
  readonly otherCa: KeyPair;
  cleanup(): void;
}

export function createTestPki(): TestPki {
  const pki = createPki("hooksec-identity-pki-");
  const ca = pki.createAuthority("ca", { subject: "/CN=Example Webhooks CA/O=Example" });
  const rogue = pki.createAuthority("rogue", { subject: "/CN=Rogue CA/O=Example" });
  const year = new Date().getUTCFullYear();
  return {
    dir: pki.dir,
    caPath: ca.certPath,
    ca: ca.cert,
    server: ca.issueServer("server", { subject: "/CN=127.0.0.1", ip: ["127.0.0.1"], dns: [] }),
    producer: ca.issueClient("producer", PRODUCER_SUBJECT, { days: 90 }),
    expired: ca.issueClient("expired", PRODUCER_SUBJECT, {
      notBefore: new Date(Date.UTC(year - 2, 0, 1)),
      notAfter: new Date(Date.UTC(year - 2, 3, 1)),
    }),
    otherCa: rogue.issueClient("other-ca", PRODUCER_SUBJECT, { days: 90 }),
    cleanup: pki.cleanup,
  };
}
