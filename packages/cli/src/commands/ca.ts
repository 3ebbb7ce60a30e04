import { generateKeyPairSync, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type ParsedCertificate, dnAttributeValues, parseCertificate } from "@hooksec/core/identity";
import { integerOption, parseCommandArgs, required } from "../lib/args.js";
import type { Command } from "../lib/command.js";
import { ensureDirectory, refuseExisting, writeNewFile } from "../lib/files.js";
import { type CliIo, EXIT, type ExitCode } from "../lib/io.js";
import { opensslBinary, runOpenssl } from "../lib/openssl.js";
import { printFields, printJson } from "../lib/output.js";
import { readSubject } from "../lib/subject.js";
import { CommandError, UsageError } from "../lib/usage-error.js";

// Extensions live in a config file written by us; nothing a user types goes into it
// unchecked (server names are validated first), and the system's openssl.cnf is not used.
function opensslConfig(serverNames: readonly string[] = []): string {
  const altNames = serverNames.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(",");
  return [
    "[req]",
    "distinguished_name = dn",
    "string_mask = utf8only",
    "utf8 = yes",
    "[dn]",
    "[ca_ext]",
    "basicConstraints = critical,CA:TRUE,pathlen:0",
    "keyUsage = critical,keyCertSign,cRLSign",
    "subjectKeyIdentifier = hash",
    "[client_ext]",
    "basicConstraints = critical,CA:FALSE",
    "keyUsage = critical,digitalSignature",
    "extendedKeyUsage = clientAuth",
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid",
    "[server_ext]",
    "basicConstraints = critical,CA:FALSE",
    "keyUsage = critical,digitalSignature",
    "extendedKeyUsage = serverAuth",
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid",
    ...(altNames === "" ? [] : [`subjectAltName = ${altNames}`]),
    "",
  ].join("\n");
}

/** A positive 127-bit serial in hex, as RFC 5280 asks (unpredictable, at most 20 octets). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return `0x${bytes.toString("hex")}`;
}

/** A P-256 private key, PKCS#8 PEM, made with node:crypto. */
function newPrivateKey(): string {
  return generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
}

/** A scratch folder (0700) for the key, CSR and config openssl reads; always removed. */
async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "hooksec-ca-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Issued {
  readonly keyPath: string;
  readonly certPath: string;
  readonly certificate: ParsedCertificate;
}

/** Issues a leaf certificate signed by the CA in `caDir`; writes `<base>.key` (0600) and `<base>.crt` to `outDir`. */
async function issueLeaf(
  io: CliIo,
  options: {
    caDir: string;
    outDir: string;
    base: string;
    subject: string;
    days: number;
    extensions: "client_ext" | "server_ext";
    serverNames?: readonly string[];
    expectedSubject: string;
  },
): Promise<Issued> {
  // openssl runs in a scratch folder: paths the user typed are made absolute first.
  const caCert = resolve(options.caDir, "ca.crt");
  const caKey = resolve(options.caDir, "ca.key");
  for (const path of [caCert, caKey]) {
    await access(path, constants.R_OK).catch(() => {
      throw new CommandError(`cannot read ${path}: is --ca a folder made by 'hooksec ca init'?`);
    });
  }
  const keyPath = resolve(options.outDir, `${options.base}.key`);
  const certPath = resolve(options.outDir, `${options.base}.crt`);
  await refuseExisting([keyPath, certPath]);
  const openssl = opensslBinary(io.env);
  const key = newPrivateKey();
  const cert = await withScratch(async (dir) => {
    await writeFile(join(dir, "openssl.cnf"), opensslConfig(options.serverNames));
    await writeFile(join(dir, "leaf.key"), key, { mode: 0o600 });
    await runOpenssl(
      openssl,
      ["req", "-new", "-config", "openssl.cnf", "-key", "leaf.key", "-subj", options.subject, "-out", "leaf.csr"],
      dir,
    );
    return runOpenssl(
      openssl,
      [
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        caCert,
        "-CAkey",
        caKey,
        "-set_serial",
        randomSerial(),
        "-days",
        String(options.days),
        "-sha256",
        "-extfile",
        "openssl.cnf",
        "-extensions",
        options.extensions,
      ],
      dir,
    );
  });
  const certificate = await parseCertificate(cert);
  // Checked before anything is written: the rules printed must match what nginx will send.
  if (certificate.subject !== options.expectedSubject) {
    throw new CommandError(`openssl wrote the subject ${certificate.subject}, not ${options.expectedSubject}`);
  }
  await ensureDirectory(options.outDir);
  await writeNewFile(keyPath, key, { private: true });
  await writeNewFile(certPath, cert);
  return { keyPath, certPath, certificate };
}

/** The tenant a rule should name: `--tenant`, else the one OU, else the CN. */
function tenantName(certificate: ParsedCertificate, given: string | undefined): string | undefined {
  if (given !== undefined) return given;
  const units = dnAttributeValues(certificate.subjectName, "OU");
  if (units.length === 1) return units[0];
  return dnAttributeValues(certificate.subjectName, "CN")[0];
}

function certificateFields(certificate: ParsedCertificate) {
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serial: certificate.serialNumber,
    notAfter: certificate.notAfter.toISOString(),
    fingerprint256: certificate.fingerprint256,
  };
}

const initHelp = `Usage: hooksec ca init --out DIR [--name "hooksec CA"] [--days 3650] [--json]

Creates a certificate authority for mTLS client certificates: DIR/ca.key (P-256,
mode 0600, DIR created 0700) and DIR/ca.crt (CA:TRUE, pathlen 0, keyCertSign).
Give DIR/ca.crt to the receiver (nginx ssl_client_certificate); keep ca.key offline.
Needs the openssl command (or HOOKSEC_OPENSSL=/path/to/openssl).

Options:
  --out DIR    the CA folder (required); an existing ca.key or ca.crt is never overwritten
  --name NAME  the CA's common name (default "hooksec CA")
  --days N     validity in days, 1 to 36500 (default 3650)
  --json       print JSON
`;

const issueHelp = `Usage: hooksec ca issue --ca DIR --subject "/CN=payments-provider/O=Example/OU=tenant-42"
                        --out DIR [--days 90] [--tenant NAME] [--name client] [--json]

Issues a client certificate (extendedKeyUsage clientAuth) for a tenant: OUT/<name>.key
(P-256, 0600) and OUT/<name>.crt. Prints the subject as nginx sends it in
$ssl_client_s_dn (RFC 2253/4514: reverse order, "OU=tenant-42,O=Example,CN=payments-provider"),
the SHA-256 fingerprint and notAfter, and tenant rules ready for createTenantDirectory.

Options:
  --ca DIR       the folder 'hooksec ca init' made (ca.key, ca.crt) (required)
  --subject DN   OpenSSL's /CN=.../O=.../OU=... (certificate order) or RFC 4514 (required)
  --out DIR      where to write the key and certificate (created if missing) (required)
  --days N       validity in days, 1 to 3650 (default 90)
  --tenant NAME  the tenant the printed rules name (default: the OU, else the CN)
  --name NAME    file name of the key and certificate (default client)
  --json         print JSON
`;

const serverHelp = `Usage: hooksec ca server --ca DIR --name localhost [--name 127.0.0.1 ...] --out DIR [--days 90] [--json]

Issues a TLS server certificate (extendedKeyUsage serverAuth) for the receiver:
OUT/server.key (P-256, 0600) and OUT/server.crt, with every --name as a subjectAltName
(DNS, or IP for an address) and the first as CN.

Options:
  --ca DIR     the folder 'hooksec ca init' made (required)
  --name N     a DNS name or IP address (required, repeatable)
  --out DIR    where to write server.key and server.crt (required)
  --days N     validity in days, 1 to 825 (default 90)
  --json       print JSON
`;

const usageHelp = `Usage: hooksec ca <init|issue|server> [options]

  init     create a certificate authority (ca.key, ca.crt)
  issue    issue a client certificate for a tenant
  server   issue a server certificate for the receiver

Run 'hooksec ca <command> --help' for its options.
`;

async function init(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs(args, {
    out: { type: "string" },
    name: { type: "string" },
    days: { type: "string" },
    json: { type: "boolean" },
  });
  const out = required(values.out, "out");
  const days = integerOption(values.days, "days", 3650, 1, 36_500);
  const name = values.name ?? "hooksec CA";
  if (name === "" || [...name].some((character) => character.charCodeAt(0) < 0x20))
    throw new UsageError("--name must be a non-empty line of text");
  const { slash } = readSubject(`/CN=${name.replace(/[\\/+=]/g, (character) => `\\${character}`)}`);
  const keyPath = join(out, "ca.key");
  const certPath = join(out, "ca.crt");
  await refuseExisting([keyPath, certPath]);
  const key = newPrivateKey();
  const cert = await withScratch(async (dir) => {
    await writeFile(join(dir, "openssl.cnf"), opensslConfig());
    await writeFile(join(dir, "ca.key"), key, { mode: 0o600 });
    return runOpenssl(
      opensslBinary(io.env),
      [
        "req",
        "-x509",
        "-new",
        "-config",
        "openssl.cnf",
        "-extensions",
        "ca_ext",
        "-key",
        "ca.key",
        "-subj",
        slash,
        "-days",
        String(days),
        "-sha256",
        "-set_serial",
        randomSerial(),
      ],
      dir,
    );
  });
  const certificate = await parseCertificate(cert);
  await ensureDirectory(out, { private: true });
  await writeNewFile(keyPath, key, { private: true });
  await writeNewFile(certPath, cert);
  const fields = { key: keyPath, cert: certPath, ...certificateFields(certificate) };
  if (values.json) printJson(io, fields);
  else printFields(io, fields);
  return EXIT.ok;
}

async function issue(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs(args, {
    ca: { type: "string" },
    subject: { type: "string" },
    out: { type: "string" },
    days: { type: "string" },
    tenant: { type: "string" },
    name: { type: "string" },
    json: { type: "boolean" },
  });
  const caDir = required(values.ca, "ca");
  const subject = readSubject(required(values.subject, "subject"));
  const outDir = required(values.out, "out");
  const days = integerOption(values.days, "days", 90, 1, 3650);
  const base = values.name ?? "client";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(base))
    throw new UsageError("--name may hold letters, digits, '.', '_' and '-'");
  const issued = await issueLeaf(io, {
    caDir,
    outDir,
    base,
    subject: subject.slash,
    expectedSubject: subject.rfc4514,
    days,
    extensions: "client_ext",
  });
  const tenant = tenantName(issued.certificate, values.tenant);
  const rules =
    tenant === undefined
      ? []
      : [
          { tenant, subject: issued.certificate.subject },
          { tenant, fingerprint: issued.certificate.fingerprint256 },
        ];
  const fields = { key: issued.keyPath, cert: issued.certPath, ...certificateFields(issued.certificate) };
  if (values.json) printJson(io, { ...fields, tenantRules: rules });
  else {
    printFields(io, fields);
    io.stdout("tenant rules (createTenantDirectory, one of):\n");
    for (const rule of rules) io.stdout(`  ${JSON.stringify(rule)}\n`);
  }
  return EXIT.ok;
}

async function server(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs(args, {
    ca: { type: "string" },
    name: { type: "string", multiple: true },
    out: { type: "string" },
    days: { type: "string" },
    json: { type: "boolean" },
  });
  const caDir = required(values.ca, "ca");
  const names = values.name ?? [];
  const first = names[0];
  if (first === undefined) throw new UsageError("--name is required (a DNS name or an IP address)");
  for (const name of names) {
    if (
      isIP(name) === 0 &&
      !/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(name)
    ) {
      throw new UsageError(`--name must be a DNS name or an IP address, got '${name}'`);
    }
  }
  const outDir = required(values.out, "out");
  const days = integerOption(values.days, "days", 90, 1, 825);
  const subject = readSubject(`/CN=${first}`);
  const issued = await issueLeaf(io, {
    caDir,
    outDir,
    base: "server",
    subject: subject.slash,
    expectedSubject: subject.rfc4514,
    days,
    extensions: "server_ext",
    serverNames: names,
  });
  const fields = {
    key: issued.keyPath,
    cert: issued.certPath,
    names: names.join(", "),
    ...certificateFields(issued.certificate),
  };
  if (values.json) printJson(io, { ...fields, names });
  else printFields(io, fields);
  return EXIT.ok;
}

const SUBCOMMANDS: Record<string, { run: (args: readonly string[], io: CliIo) => Promise<ExitCode>; help: string }> = {
  init: { run: init, help: initHelp },
  issue: { run: issue, help: issueHelp },
  server: { run: server, help: serverHelp },
};

export const caCommand: Command = {
  name: "ca",
  summary: "a certificate authority, client certificates for tenants, server certificates (openssl)",
  help: usageHelp,
  async run(args: readonly string[], io: CliIo): Promise<ExitCode> {
    const [name, ...rest] = args;
    if (name === "--help" || name === "-h") {
      io.stdout(usageHelp);
      return EXIT.ok;
    }
    const subcommand = name === undefined ? undefined : SUBCOMMANDS[name];
    if (subcommand === undefined || !Object.hasOwn(SUBCOMMANDS, name ?? "")) {
      throw new UsageError(
        name === undefined ? "ca needs a command: init, issue or server" : `unknown ca command '${name}'`,
      );
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(subcommand.help);
      return EXIT.ok;
    }
    return subcommand.run(rest, io);
  },
};
