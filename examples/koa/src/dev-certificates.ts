import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A key and its certificate, PEM. */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
  /** Paths of the PEM files, for servers such as nginx that read files. */
  readonly keyFile: string;
  readonly certFile: string;
}

export interface DevCertificateAuthority {
  readonly cert: string;
  readonly certFile: string;
  /** A server certificate for 127.0.0.1 and localhost. */
  issueServer(name: string): KeyPair;
  /** A client certificate with the given subject, in OpenSSL's `/CN=x/O=y/OU=z` form. */
  issueClient(name: string, subject: string): KeyPair;
}

export interface DevPki {
  readonly dir: string;
  /** A new certificate authority (P-256, valid two days). */
  createAuthority(name: string): DevCertificateAuthority;
  /** Deletes every file made. */
  cleanup(): void;
}

/** True when the `openssl` command can be run. */
export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Throwaway certificates for trying mTLS on loopback, made with the `openssl`
 * command into a temporary folder. For development and tests only: real
 * deployments issue certificates with their own CA (or `hooksec` CLI).
 *
 * @example
 * const pki = createDevPki();
 * const ca = pki.createAuthority("example CA");
 * const server = ca.issueServer("server");
 * const client = ca.issueClient("acme", "/CN=acme-sender/O=Acme/OU=acme");
 */
export function createDevPki(dir = mkdtempSync(join(tmpdir(), "hooksec-dev-pki-"))): DevPki {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const file = (name: string) => join(dir, name);
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

  function issue(caName: string, name: string, subject: string, extensions: string): KeyPair {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl("req", ...newKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${caName}.pem`,
      "-CAkey",
      `${caName}.key`,
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
    return {
      key: readFileSync(file(`${name}.key`), "utf8"),
      cert: readFileSync(file(`${name}.pem`), "utf8"),
      keyFile: file(`${name}.key`),
      certFile: file(`${name}.pem`),
    };
  }

  return {
    dir,
    createAuthority(name) {
      const caName = `ca-${name.replace(/[^a-z0-9]+/gi, "-")}`;
      openssl(
        "req",
        "-x509",
        ...newKey,
        "-keyout",
        `${caName}.key`,
        "-out",
        `${caName}.pem`,
        "-days",
        "2",
        "-subj",
        `/CN=${name}`,
      );
      return {
        cert: readFileSync(file(`${caName}.pem`), "utf8"),
        certFile: file(`${caName}.pem`),
        issueServer: (serverName) =>
          issue(
            caName,
            serverName,
            "/CN=localhost",
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
          ),
        issueClient: (clientName, subject) => issue(caName, clientName, subject, "extendedKeyUsage=clientAuth\n"),
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
