// The commands the incident-response runbook (docs/incident-response.md) relies on.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createVerifier, standardWebhooks } from "@hooksec/core";
import { afterAll, describe, expect, it } from "vitest";
import { hooksec, json, tempDir } from "./run-cli.js";

const temp = tempDir();
afterAll(() => temp.remove());

const OLD = `whsec_${Buffer.from("the compromised old secret 32 by").toString("base64")}`;
const OLDER = `whsec_${Buffer.from("an even older secret, 32 bytes ..").toString("base64")}`;
const keyringOf = (stdout: string) => stdout.trim().split(/[\s,]+/);

async function verifies(secrets: string[], signer: string): Promise<boolean> {
  const body = '{"type":"ping"}';
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const headers = await standardWebhooks({ secret: signer }).sign({ id, timestamp: new Date(), body });
  const verifier = createVerifier({ scheme: standardWebhooks({ secrets }), replay: false });
  return verifier
    .verifyParts({ method: "POST", url: "https://r.test/h", headers, body: new TextEncoder().encode(body) })
    .then(
      () => true,
      () => false,
    );
}

describe("hooksec secret rotate / retire", () => {
  it("rotate: a new secret in front of the keyring from the environment; both verify, the new one is first", async () => {
    const result = await hooksec(["secret", "rotate", "--keyring-env", "WEBHOOK_SECRETS"], {
      env: { WEBHOOK_SECRETS: `${OLD}, ${OLDER}` },
    });
    expect(result.code).toBe(0);
    const keyring = keyringOf(result.stdout);
    expect(keyring).toHaveLength(3);
    expect(keyring[0]).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(keyring.slice(1)).toEqual([OLD, OLDER]);
    // The receiver deployed with it accepts the senders still on the old secret and the new one.
    expect(await verifies(keyring, OLD)).toBe(true);
    expect(await verifies(keyring, keyring[0] as string)).toBe(true);
  });

  it("rotate --keep 1 --json: a compromised secret dropped at once; the new secret on its own for the sender", async () => {
    const file = join(temp.dir, "keyring");
    writeFileSync(file, `${OLD}\n`);
    const result = await hooksec(["secret", "rotate", "--keyring-file", file, "--keep", "1", "--json"]);
    expect(result.code).toBe(0);
    const { secret, keyring } = json<{ secret: string; keyring: string[] }>(result);
    expect(keyring).toEqual([secret]);
    expect(await verifies(keyring, OLD)).toBe(false);
  });

  it("rotate without a keyring starts one", async () => {
    const result = await hooksec(["secret", "rotate"]);
    expect(result.code).toBe(0);
    expect(keyringOf(result.stdout)).toHaveLength(1);
  });

  it("retire: after the grace period only the newest entry is left; the old secret no longer verifies", async () => {
    const rotated = keyringOf((await hooksec(["secret", "rotate", "--keyring-env", "K"], { env: { K: OLD } })).stdout);
    const result = await hooksec(["secret", "retire", "--keyring-env", "K", "--json"], {
      env: { K: rotated.join(" ") },
    });
    expect(result.code).toBe(0);
    expect(json(result)).toEqual({ keyring: [rotated[0]], retired: 1 });
    expect(await verifies([rotated[0] as string], OLD)).toBe(false);
    expect(
      (
        await hooksec(["secret", "retire", "--keyring-env", "K", "--keep", "2"], {
          env: { K: `${rotated.join(",")},${OLDER}` },
        })
      ).stdout.trim(),
    ).toBe(rotated.join(" "));
  });

  it.each([
    [["secret", "retire"], {}, "--keyring-env NAME"],
    [["secret", "rotate", "--keyring-env", "K"], { K: `${OLD} whsec_tooshort-LEAKED` }, "keyring entry 2 of 2"],
    [["secret", "rotate", "--keyring-env", "K"], { K: " , " }, "empty"],
    [["secret", "rotate", "--keyring-env", "MISSING"], {}, "not set"],
    [["secret", "rotate", "--keep", "0"], {}, "--keep"],
  ])("%j is a usage error that never echoes a secret", async (args, env, message) => {
    const result = await hooksec(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain("LEAKED");
    expect(result.stderr).not.toContain(OLD.slice(6));
  });
});

describe("hooksec log rejections", () => {
  const now = Date.now();
  const line = (fields: Record<string, unknown>) =>
    JSON.stringify({ level: 40, pid: 1, hostname: "r", msg: "webhook rejected", ...fields });
  const log = [
    line({
      time: now - 5 * 60_000,
      event: "rejected",
      code: "invalid_signature",
      clientIp: "203.0.113.9",
      scheme: "standard-webhooks",
    }),
    line({
      time: now - 4 * 60_000,
      event: "rejected",
      code: "invalid_signature",
      clientIp: "203.0.113.9",
      scheme: "standard-webhooks",
    }),
    line({
      time: now - 3 * 60_000,
      event: "rejected",
      code: "client_certificate_expired",
      clientIp: "198.51.100.7",
      tenant: "globex",
    }),
    line({ time: now - 2 * 60_000, event: "completed", id: "msg_1", level: 30 }),
    line({ time: now - 3 * 3_600_000, event: "rejected", code: "invalid_signature", clientIp: "192.0.2.1" }),
    "not json at all",
    "{broken json",
  ].join("\n");

  it("groups the last hour's refusals by client, tenant and code, most first", async () => {
    const file = join(temp.dir, "receiver.log");
    writeFileSync(file, log);
    const result = await hooksec(["log", "rejections", "--since", "1h", file]);
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^COUNT\s+CLIENT IP\s+TENANT\s+CODE\s+LAST$/);
    expect(rows[1]).toMatch(/^2\s+203\.0\.113\.9\s+-\s+invalid_signature\s+\d{4}-/);
    expect(rows[2]).toMatch(/^1\s+198\.51\.100\.7\s+globex\s+client_certificate_expired\s+/);
    expect(rows).toHaveLength(3);
  });

  it("reads standard input, --json, and a wider window", async () => {
    const result = await hooksec(["log", "rejections", "--since", "1d", "--json"], { input: log });
    expect(result.code).toBe(0);
    const rows = json<Array<{ clientIp: string; count: number; first: number; last: number }>>(result);
    expect(rows.map((row) => [row.clientIp, row.count])).toEqual([
      ["203.0.113.9", 2],
      ["198.51.100.7", 1],
      ["192.0.2.1", 1],
    ]);
    expect(rows[0]?.last).toBe(now - 4 * 60_000);
  });

  it("says so when nothing was refused", async () => {
    const result = await hooksec(["log", "rejections", "--since", "1m"], { input: log });
    expect(result.stdout).toMatch(/^no rejections since /);
  });

  it.each([[["log"]], [["log", "accepted"]], [["log", "rejections", "--since", "an hour"]]])(
    "%j is a usage error",
    async (args) => {
      const result = await hooksec(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("hooksec log --help");
    },
  );
});
