// A private PKI made with the openssl binary in a temp dir, as the seeds do it:
// a CA, the producer's key and CSR `/CN=payments-provider/O=Example/OU=tenant-42`
// signed for 90 days, the same subject already expired, a leaf from another CA,
// and a server certificate for 127.0.0.1.
import { execFileSync } from "node:child_process";
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export const PRODUCER_SUBJECT = "/CN=payments-provider/O=Example/OU=tenant-42";

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
}

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

/** The first of `candidates` (paths) or `binary` (on PATH) that is an executable file. */
export function findBinary(binary: string, candidates: readonly string[] = []): string | undefined {
  const onPath = (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, binary));
  for (const candidate of [...candidates, ...onPath]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "hooksec-identity-pki-"));
  chmodSync(dir, 0o755);
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const newKey = (name: string) => openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path(name));

  function ca(name: string, subject: string): void {
    newKey(`${name}.key`);
    openssl(
      "req", "-x509", "-new", "-key", path(`${name}.key`), "-out", path(`${name}.crt`), "-days", "3650", "-subj", subject,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    );
    // `openssl ca` (the only 3.0 command that takes explicit dates) needs a little database.
    writeFileSync(path(`${name}.index`), "");
    writeFileSync(path(`${name}.serial`), "1000\n");
    writeFileSync(
      path(`${name}.cnf`),
      [
        "[ca]", "default_ca = this", "[this]", `database = ${path(`${name}.index`)}`, `serial = ${path(`${name}.serial`)}`,
        `new_certs_dir = ${dir}`, "default_md = sha256", "policy = any", "unique_subject = no", "copy_extensions = copy",
        "[any]", "commonName = supplied", "organizationName = optional", "organizationalUnitName = optional", "",
      ].join("\n"),
    );
  }

  function leaf(name: string, issuer: string, subject: string, dates: string[], extensions: string[] = []): KeyPair {
    newKey(`${name}.key`);
    openssl("req", "-new", "-key", path(`${name}.key`), "-out", path(`${name}.csr`), "-subj", subject, ...extensions);
    openssl(
      "ca", "-batch", "-notext", "-preserveDN", "-config", path(`${issuer}.cnf`), "-cert", path(`${issuer}.crt`),
      "-keyfile", path(`${issuer}.key`), "-in", path(`${name}.csr`), "-out", path(`${name}.crt`), ...dates,
    );
    return { cert: readFileSync(path(`${name}.crt`), "utf8"), key: readFileSync(path(`${name}.key`), "utf8"), certPath: path(`${name}.crt`), keyPath: path(`${name}.key`) };
  }

  ca("ca", "/CN=Example Webhooks CA/O=Example");
  ca("rogue", "/CN=Rogue CA/O=Example");
  const server = leaf("server", "ca", "/CN=127.0.0.1", ["-days", "2"], ["-addext", "subjectAltName=IP:127.0.0.1", "-addext", "extendedKeyUsage=serverAuth"]);
  const clientUsage = ["-addext", "extendedKeyUsage=clientAuth"];
  const producer = leaf("producer", "ca", PRODUCER_SUBJECT, ["-days", "90"], clientUsage);
  const year = new Date().getUTCFullYear();
  const expired = leaf("expired", "ca", PRODUCER_SUBJECT, ["-startdate", `${year - 2}0101000000Z`, "-enddate", `${year - 2}0401000000Z`], clientUsage);
  const otherCa = leaf("other-ca", "rogue", PRODUCER_SUBJECT, ["-days", "90"], clientUsage);
  return {
    dir,
    caPath: path("ca.crt"),
    ca: readFileSync(path("ca.crt"), "utf8"),
    server,
    producer,
    expired,
    otherCa,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
