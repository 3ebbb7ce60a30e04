import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/** True when `openssl` can be run; tests skip without it locally and fail under CI. */
export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
export function makeCertificates(clientName = "tenant-a"): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "hooksec-koa-certs-"));
  const file = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=hooksec test CA");
  writeFileSync(file("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  writeFileSync(file("client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, subject] of [
    ["server", "/CN=localhost"],
    ["client", `/CN=${clientName}`],
  ] as const) {
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
    run("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
  }
  run("x509", "-in", "client.pem", "-outform", "DER", "-out", "client.der");
  const read = (name: string) => readFileSync(file(name), "utf8");
  return {
    ca: read("ca.pem"),
    serverKey: read("server.key"),
    serverCert: read("server.pem"),
    clientKey: read("client.key"),
    clientCert: read("client.pem"),
    clientCertDer: new Uint8Array(readFileSync(file("client.der"))),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
