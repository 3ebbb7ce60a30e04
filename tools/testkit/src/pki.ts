// A throwaway PKI made with the openssl binary in a temp dir: certificate
// authorities, server and client certificates with any subject and validity
// (also already expired), each as PEM text and as files (for nginx).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A key and its certificate: PEM text and the files. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** The certificate's DER bytes. */
  readonly der: Uint8Array;
}

/** Days from now (default), or explicit dates (an expired certificate). */
export type Validity = { readonly days: number } | { readonly notBefore: Date; readonly notAfter: Date };

export interface CertificateAuthority {
  readonly cert: string;
  readonly certPath: string;
  /** A server certificate; default subject `/CN=localhost`, names IP 127.0.0.1 and DNS localhost. */
  issueServer(
    name: string,
    options?: { subject?: string; dns?: readonly string[]; ip?: readonly string[]; validity?: Validity },
  ): KeyPair;
  /** A client certificate with the given subject, in OpenSSL's `/CN=x/O=y/OU=z` form (CN, O, OU kept in that order). */
  issueClient(name: string, subject: string, validity?: Validity): KeyPair;
}

export interface Pki {
  /** The folder of every file (readable by nginx workers running as another user). */
  readonly dir: string;
  /** A new certificate authority (P-256); `name` names its files, the subject defaults to `/CN=<name>`. */
  createAuthority(name: string, options?: { subject?: string; days?: number }): CertificateAuthority;
  /** Deletes every file made. */
  cleanup(): void;
}

/** `YYYYMMDDHHMMSSZ`, as `openssl ca -startdate/-enddate` take it. */
function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

/**
 * @example
 * const pki = createPki();
 * const ca = pki.createAuthority("example CA");
 * const server = ca.issueServer("server");
 * const client = ca.issueClient("acme", "/CN=acme-sender/O=Acme/OU=acme");
 */
export function createPki(prefix = "hooksec-test-pki-"): Pki {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const newKey = (file: string) =>
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path(file));
  const used = new Set<string>();
  const fileName = (name: string) => {
    const base = name.replace(/[^a-z0-9]+/gi, "-");
    if (used.has(base)) throw new Error(`a certificate named ${name} was already made in this PKI`);
    used.add(base);
    return base;
  };

  function issue(
    issuer: string,
    name: string,
    subject: string,
    extensions: readonly string[],
    validity: Validity,
  ): KeyPair {
    const file = fileName(name);
    newKey(`${file}.key`);
    const addext = extensions.flatMap((extension) => ["-addext", extension]);
    openssl("req", "-new", "-key", path(`${file}.key`), "-out", path(`${file}.csr`), "-subj", subject, ...addext);
    const dates =
      "days" in validity
        ? ["-days", String(validity.days)]
        : ["-startdate", opensslDate(validity.notBefore), "-enddate", opensslDate(validity.notAfter)];
    openssl(
      "ca",
      "-batch",
      "-notext",
      "-preserveDN",
      "-config",
      path(`${issuer}.cnf`),
      "-cert",
      path(`${issuer}.crt`),
      "-keyfile",
      path(`${issuer}.key`),
      "-in",
      path(`${file}.csr`),
      "-out",
      path(`${file}.crt`),
      ...dates,
    );
    const cert = readFileSync(path(`${file}.crt`), "utf8");
    const base64 = cert.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    return {
      cert,
      key: readFileSync(path(`${file}.key`), "utf8"),
      certPath: path(`${file}.crt`),
      keyPath: path(`${file}.key`),
      der: new Uint8Array(Buffer.from(base64, "base64")),
    };
  }

  return {
    dir,
    createAuthority(name, options = {}) {
      const ca = `ca-${fileName(name)}`;
      newKey(`${ca}.key`);
      openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        path(`${ca}.key`),
        "-out",
        path(`${ca}.crt`),
        "-days",
        String(options.days ?? 3650),
        "-subj",
        options.subject ?? `/CN=${name}`,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      );
      // `openssl ca` (the command that takes explicit dates) needs a little database.
      writeFileSync(path(`${ca}.index`), "");
      writeFileSync(path(`${ca}.serial`), "1000\n");
      writeFileSync(
        path(`${ca}.cnf`),
        [
          "[ca]",
          "default_ca = this",
          "[this]",
          `database = ${path(`${ca}.index`)}`,
          `serial = ${path(`${ca}.serial`)}`,
          `new_certs_dir = ${dir}`,
          "default_md = sha256",
          "policy = any",
          "unique_subject = no",
          "copy_extensions = copy",
          "[any]",
          "commonName = supplied",
          "organizationName = optional",
          "organizationalUnitName = optional",
          "",
        ].join("\n"),
      );
      return {
        cert: readFileSync(path(`${ca}.crt`), "utf8"),
        certPath: path(`${ca}.crt`),
        issueServer(serverName, server = {}) {
          const names = [
            ...(server.ip ?? ["127.0.0.1"]).map((ip) => `IP:${ip}`),
            ...(server.dns ?? ["localhost"]).map((dns) => `DNS:${dns}`),
          ];
          const extensions = [`subjectAltName=${names.join(",")}`, "extendedKeyUsage=serverAuth"];
          return issue(ca, serverName, server.subject ?? "/CN=localhost", extensions, server.validity ?? { days: 2 });
        },
        issueClient: (clientName, subject, validity = { days: 2 }) =>
          issue(ca, clientName, subject, ["extendedKeyUsage=clientAuth"], validity),
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
