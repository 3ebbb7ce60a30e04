// The portable core in real runtimes: Deno, Bun and workerd (Cloudflare's
// runtime), from the npm packages in the lockfile. Each runs the battery
// (src/battery.ts) and serves the receiver app (src/app.ts) on 127.0.0.1 for
// real HTTP requests. Deno and Bun resolve the `node` export condition for npm
// packages, so each runs twice: the built core as the runtime resolves it
// (dist/crypto/node.js through its Node compatibility) and the web bundle
// (dist/crypto/web.js, Web Crypto only). workerd runs the web bundle as a
// module worker, without nodejs_compat. Each server also mounts a Hono app with
// @hooksec/hono's webhook() middleware (Hono 4). A missing binary skips locally and
// fails under CI=true (the testkit's rule).
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { requireBinaries } from "@hooksec/testkit";
import { standardWebhooks } from "@hooksec/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBattery } from "../src/battery.ts";
import { MAX_BODY_BYTES } from "../src/app.ts";
import { expected, scenarioNames } from "./expected.ts";
import {
  type BatteryReport,
  bundles,
  conditionProbe,
  denoEnv,
  findBun,
  findDeno,
  findWorkerd,
  packageDir,
  removeBundles,
  reportOf,
  run,
  type Served,
  serve,
  workerdConfig,
} from "./runtimes.ts";

const deno = findDeno();
const bun = findBun();
const workerd = findWorkerd();

const binaries = requireBinaries("the real-runtime tests", {
  [`deno (npm deno@${deno.version ?? "?"}${deno.missing ? `: ${deno.missing}` : ""})`]: deno.path,
  [`bun (npm bun@${bun.version ?? "?"}${bun.missing ? `: ${bun.missing}` : ""})`]: bun.path,
  [`workerd (npm workerd@${workerd.version ?? "?"}${workerd.missing ? `: ${workerd.missing}` : ""})`]: workerd.path,
});

const secret = `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`;
const scheme = standardWebhooks({ secret });

interface Target {
  readonly name: string;
  readonly available: boolean;
  /** Which of the core's crypto builds this target runs. */
  readonly path: "node" | "web";
  battery(): Promise<BatteryReport>;
  serve(): Promise<Served>;
}

const webBundle = async () => (await bundles()).web;

const targets: Target[] = [
  {
    name: `deno ${deno.version}, the built core as Deno resolves it`,
    available: deno.path !== undefined,
    path: "node",
    battery: async () =>
      reportOf(
        await run(deno.path as string, ["run", "--no-lock", "src/cli.ts", "battery"], {
          cwd: packageDir,
          env: denoEnv((await bundles()).dir),
        }),
      ),
    serve: async () =>
      serve(deno.path as string, ["run", "--no-lock", "--allow-net=127.0.0.1", "src/cli.ts", "serve", secret], {
        cwd: packageDir,
        env: denoEnv((await bundles()).dir),
      }),
  },
  {
    name: `deno ${deno.version}, web bundle`,
    available: deno.path !== undefined,
    path: "web",
    battery: async () =>
      reportOf(
        await run(deno.path as string, ["run", "--no-config", "--no-lock", await webBundle(), "battery"], {
          cwd: (await bundles()).dir,
          env: denoEnv((await bundles()).dir),
        }),
      ),
    serve: async () =>
      serve(
        deno.path as string,
        ["run", "--no-config", "--no-lock", "--allow-net=127.0.0.1", await webBundle(), "serve", secret],
        {
          cwd: (await bundles()).dir,
          env: denoEnv((await bundles()).dir),
        },
      ),
  },
  {
    name: `bun ${bun.version}, the built core as Bun resolves it (node condition)`,
    available: bun.path !== undefined,
    path: "node",
    battery: async () =>
      reportOf(await run(bun.path as string, ["--no-install", "src/cli.ts", "battery"], { cwd: packageDir })),
    serve: () => serve(bun.path as string, ["--no-install", "src/cli.ts", "serve", secret], { cwd: packageDir }),
  },
  {
    name: `bun ${bun.version}, web bundle`,
    available: bun.path !== undefined,
    path: "web",
    battery: async () =>
      reportOf(
        await run(bun.path as string, ["--no-install", await webBundle(), "battery"], { cwd: (await bundles()).dir }),
      ),
    serve: async () =>
      serve(bun.path as string, ["--no-install", await webBundle(), "serve", secret], { cwd: (await bundles()).dir }),
  },
  {
    name: `workerd ${workerd.version}, module worker (no nodejs_compat)`,
    available: workerd.path !== undefined,
    path: "web",
    battery: async () => {
      const served = await startWorkerd();
      try {
        const response = await fetch(`${served.origin}/battery`);
        const text = await response.text();
        if (response.status !== 200) throw new Error(`workerd answered ${response.status}: ${text}`);
        return JSON.parse(text) as BatteryReport;
      } finally {
        await served.stop();
      }
    },
    serve: () => startWorkerd(),
  },
];

async function startWorkerd(): Promise<Served> {
  const bundle = await bundles();
  const config = await workerdConfig(bundle, secret, workerd.compatibilityDate as string);
  return serve(workerd.path as string, ["serve", config, "--control-fd=3"], {
    cwd: join(bundle.dir, "worker"),
    portStream: 3,
  });
}

afterAll(async () => {
  await removeBundles();
});

describe("the battery on Node (the reference, built core with the node condition)", () => {
  let results: Awaited<ReturnType<typeof runBattery>>;
  beforeAll(async () => {
    results = await runBattery();
  });
  it("runs every scenario", () => {
    expect(results.map((r) => r.name)).toEqual(scenarioNames);
  });
  it.each(scenarioNames)("%s", (name) => {
    expect(results.find((r) => r.name === name)?.observed).toEqual(expected[name]);
  });
});

describe.runIf(binaries)("bundles and export conditions", () => {
  it("the web bundle and the worker take the core's Web Crypto build, never node:crypto", async () => {
    const { coreInputs } = await bundles();
    for (const inputs of [coreInputs.web, coreInputs.worker]) {
      expect(inputs).toContain(join("crypto", "web.js"));
      expect(inputs).not.toContain(join("crypto", "node.js"));
      expect(inputs).toContain("index.js");
    }
  });

  it("Deno and Bun take the `node` condition of an npm package's imports map (so the unbundled core runs dist/crypto/node.js)", async () => {
    const probe = await conditionProbe(await bundles());
    const fromDeno = await run(deno.path as string, ["run", "--no-lock", "main.js"], {
      cwd: probe,
      env: denoEnv((await bundles()).dir),
    });
    expect(fromDeno.stdout.trim(), fromDeno.stderr).toBe("node");
    const fromBun = await run(bun.path as string, ["--no-install", "main.js"], { cwd: probe });
    expect(fromBun.stdout.trim(), fromBun.stderr).toBe("node");
  });
});

for (const target of targets) {
  describe.runIf(binaries && target.available)(target.name, () => {
    let report: BatteryReport;
    beforeAll(async () => {
      report = await target.battery();
    });

    it("is the runtime and version the lockfile installed, on the expected crypto build", () => {
      const name = target.name.split(" ")[0];
      expect(report.runtime.name).toBe(name);
      if (name === "deno") expect(report.runtime.version).toBe(deno.version);
      if (name === "bun") expect(report.runtime.version).toBe(bun.version);
      if (name === "bun" && target.path === "node") {
        expect(report.resolution?.core).toBe(join(packageDir, "..", "..", "packages", "core", "dist", "index.js"));
        expect(report.resolution?.crypto).toBe(
          join(packageDir, "..", "..", "packages", "core", "dist", "crypto", "node.js"),
        );
      }
      expect(report.results.map((r) => r.name)).toEqual(scenarioNames);
    });

    it.each(scenarioNames)("%s", (name) => {
      expect(report.results.find((r) => r.name === name)?.observed).toEqual(expected[name]);
    });

    describe("serving the receiver on 127.0.0.1", () => {
      let served: Served;
      beforeAll(async () => {
        served = await target.serve();
      });
      afterAll(async () => {
        await served?.stop();
      });

      describe.each([
        ["the core's receiver", "/webhooks"],
        ["a Hono app with @hooksec/hono's webhook()", "/hono/webhooks"],
      ])("%s", (_, route) => {
        const deliver = async (id: string, body: string, tamper = false, query = "") => {
          const headers = await scheme.sign({ id, timestamp: new Date(), body });
          return fetch(`${served.origin}${route}${query}`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: tamper ? body.replace("1", "2") : body,
          });
        };

        it("answers a valid delivery 204, its duplicate 200, a tampered one 401 invalid_signature", async () => {
          const id = `msg_${crypto.randomUUID()}`;
          const first = await deliver(id, '{"n":1}');
          expect(first.status).toBe(204);
          expect(first.headers.get("x-webhook-id")).toBe(id);
          const again = await deliver(id, '{"n":1}');
          expect(again.status).toBe(200);
          expect(await again.json()).toEqual({ duplicate: true, id });
          const tampered = await deliver(`msg_${crypto.randomUUID()}`, '{"n":1}', true);
          expect(tampered.status).toBe(401);
          expect(await tampered.json()).toMatchObject({ error: { code: "invalid_signature" } });
        });

        it("answers a retry while the first attempt runs 409 message_in_progress with retry-after", async () => {
          const id = `msg_${crypto.randomUUID()}`;
          const slow = deliver(id, '{"n":1}', false, "?slow");
          await new Promise((resolve) => setTimeout(resolve, 150));
          const during = await deliver(id, '{"n":1}');
          expect(during.status).toBe(409);
          expect(during.headers.get("retry-after")).toBe("30");
          expect(await during.json()).toMatchObject({ error: { code: "message_in_progress" } });
          expect((await slow).status).toBe(204);
        });

        it("refuses a body over the limit with 413 body_too_large, chunked (no content-length) or declared", async () => {
          const body = "x".repeat(4 * MAX_BODY_BYTES);
          const headers = await scheme.sign({ id: `msg_${crypto.randomUUID()}`, timestamp: new Date(), body });
          const chunked = await rawPost(`${served.origin}${route}`, headers, [body.slice(0, 2048), body.slice(2048)]);
          expect(chunked.status).toBe(413);
          expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: "body_too_large" } });
          const declared = await fetch(`${served.origin}${route}`, { method: "POST", headers, body });
          expect(declared.status).toBe(413);
          expect(await declared.json()).toMatchObject({ error: { code: "body_too_large" } });
        });
      });
    });
  });
}

/** A POST sent in chunks (transfer-encoding: chunked, no content-length); a reset after the answer is fine. */
function rawPost(
  url: string,
  headers: Record<string, string>,
  chunks: readonly string[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const request = httpRequest(
      url,
      { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolvePromise({ status: response.statusCode ?? 0, body }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}
