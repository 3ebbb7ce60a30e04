// Test certificates made with the openssl binary in a temp dir: a CA, a server
// certificate, a client certificate, and a client certificate from another CA.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pem {
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

/** Whether openssl can be run; a test without it skips locally and fails under CI=true. */
export function opensslAvailable(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function createTestCertificates(serverNames: { dns: readonly string[]; ip: readonly string[] }): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "hooksec-sender-certs-"));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const newKey = (name: string) => openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path(name));

  function ca(name: string, subject: string): void {
    newKey(`${name}.key`);
    openssl(
      "req", "-x509", "-new", "-key", path(`${name}.key`), "-out", path(`${name}.crt`), "-days", "2", "-subj", subject,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    );
  }

  function leaf(name: string, issuer: string, subject: string, extensions: string): Pem {
    newKey(`${name}.key`);
    openssl("req", "-new", "-key", path(`${name}.key`), "-out", path(`${name}.csr`), "-subj", subject);
    writeFileSync(path(`${name}.ext`), extensions);
    openssl(
      "x509", "-req", "-in", path(`${name}.csr`), "-CA", path(`${issuer}.crt`), "-CAkey", path(`${issuer}.key`),
      "-CAcreateserial", "-out", path(`${name}.crt`), "-days", "2", "-extfile", path(`${name}.ext`),
    );
    return { cert: readFileSync(path(`${name}.crt`), "utf8"), key: readFileSync(path(`${name}.key`), "utf8") };
  }

  ca("ca", "/CN=hooksec sender test CA");
  ca("rogue-ca", "/CN=someone else's CA");
  const san = [...serverNames.dns.map((name) => `DNS:${name}`), ...serverNames.ip.map((ip) => `IP:${ip}`)].join(",");
  const server = leaf("server", "ca", "/CN=receiver", `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  const client = leaf("client", "ca", "/CN=sender-acme", "extendedKeyUsage=clientAuth\n");
  const rogueClient = leaf("rogue", "rogue-ca", "/CN=sender-acme", "extendedKeyUsage=clientAuth\n");
  return {
    ca: readFileSync(path("ca.crt"), "utf8"),
    server,
    client,
    rogueClient,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
