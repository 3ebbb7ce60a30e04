// The demo is what a newcomer runs first: it must end with exit 0 and show every
// scenario ticked. openssl and redis-server decide which groups run (under
// CI=true both must be there).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { canConnect, findBinary, hasOpenssl, requireBinaries } from "@hooksec/testkit";
import { describe, expect, it } from "vitest";

const demoDir = fileURLToPath(new URL("..", import.meta.url));
const mtls = requireBinaries("the demo's mTLS scenarios", { openssl: hasOpenssl() });
const durable = requireBinaries("the demo's durable delivery scenarios", {
  "redis-server": findBinary("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]),
});

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: demoDir,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const signatures = [
  "acme delivers invoice.paid",
  "replay of acme's delivery",
  "tampered body (amount changed)",
  "stale timestamp (signed 10 minutes ago)",
  "timestamp 10 minutes in the future",
  "signed with a wrong secret",
  "body over 64 KiB",
  "handler fails (simulated outage)",
  "the sender retries it",
];
const mtlsScenarios = [
  "globex delivers order.created",
  "no client certificate",
  "acme's name on a certificate from a rogue CA",
  "forged proxy headers claiming acme",
  "wrong tenant: globex's certificate, acme's signature",
  "trusted CA, but no tenant for the certificate",
];
const lifecycle = [
  "a retry arrives while the first attempt runs",
  "the first attempt finishes",
  "the sender retries once more",
  "report.generate handled",
  "the handler crashes on the first attempt",
  "createSender retries it, same message id",
  "ledger.post handled to success",
];
const jwe = [
  "sender delivers a signed, then encrypted payload",
  "encrypted to us, but signed with another key",
  "ciphertext changed in transit",
];
const delivery = [
  "dispatch invoice.paid twice (idempotency key inv_1)",
  "attempts while the receiver is down",
  "the receiver comes up",
  "invoice.paid handled",
  "4 deliveries to a dead endpoint",
  "deliveries while the circuit is open",
  "delivery.endpoints.get(endpoint)",
];

describe("pnpm demo", () => {
  it("plays every scenario with the expected outcome and exits 0", async () => {
    const { code, stdout, stderr } = await runDemo();
    const ticked = stdout.split("\n").flatMap((line) => (line.startsWith("✓  ") ? [line.slice(3)] : []));
    const expected = [
      ...signatures,
      ...(mtls ? mtlsScenarios : []),
      ...lifecycle,
      ...jwe,
      ...(durable ? delivery : []),
    ];
    for (const scenario of expected)
      expect(
        ticked.some((line) => line.startsWith(`${scenario}  `)),
        `✓ ${scenario}\n${stdout}${stderr}`,
      ).toBe(true);
    expect(stdout).not.toContain("✗");
    expect(stdout).toContain(`processed by the example's handler: ${mtls ? 3 : 2} event(s) (each exactly once)`);
    if (!mtls) expect(stdout).toContain("openssl was not found: the mTLS scenarios are skipped");
    if (!durable) expect(stdout).toContain("redis-server was not found: the durable delivery scenarios are skipped");
    expect(stdout).toContain(`all ${expected.length + 1} scenarios behaved as expected.`);
    expect(code, stderr).toBe(0);
    // Everything it started is stopped: the example's port and redis-server's are closed.
    const ports = [...stdout.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1]));
    expect(ports.length).toBe(durable ? 2 : 1);
    for (const port of ports) expect(await canConnect(port), `port ${port} still open`).toBe(false);
  });
});
