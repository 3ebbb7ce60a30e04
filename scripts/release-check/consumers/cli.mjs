// The hooksec command installed globally from the registry (npm install -g into a temp
// prefix): secret, then sign, then verify the signed body (exit 0) and a tampered one (exit 1).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/processes.mjs";

export default {
  name: "cli",
  async run(ctx) {
    const prefix = join(ctx.dir, "consumers", "cli-global");
    mkdirSync(prefix, { recursive: true });
    const spec = `@hooksec/cli@${ctx.versions["@hooksec/cli"]}`;
    await run(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        prefix,
        `--@hooksec:registry=${ctx.registry}`,
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        spec,
      ],
      {
        cwd: prefix,
        timeoutMs: 300_000,
      },
    );
    const hooksec = join(prefix, "bin", "hooksec");
    const secret = (await run(hooksec, ["secret"], { cwd: prefix })).trim();
    if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret))
      throw new Error(`hooksec secret printed ${JSON.stringify(secret)}`);
    const env = { RELEASE_CHECK_SECRET: secret };
    const body = '{"type":"cli.check"}';
    const scheme = ["--scheme", "standard-webhooks", "--secret-env", "RELEASE_CHECK_SECRET"];
    const headers = await run(hooksec, ["sign", ...scheme, "--body", body], { cwd: prefix, env });
    const headersFile = join(prefix, "headers.txt");
    writeFileSync(headersFile, headers);
    await run(hooksec, ["verify", ...scheme, "--body", body, "--headers-file", headersFile], { cwd: prefix, env });
    const tampered = await run(
      hooksec,
      ["verify", ...scheme, "--body", body.replace("check", "chock"), "--headers-file", headersFile],
      {
        cwd: prefix,
        env,
      },
    ).then(
      () => 0,
      (error) => error.exitCode,
    );
    if (tampered !== 1) throw new Error(`hooksec verify of a tampered body exited ${tampered} (expected 1)`);
  },
};
