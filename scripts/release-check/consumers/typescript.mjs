// TypeScript users under `strict`, with `moduleResolution` node16 and bundler: one file
// imports every published package and every subpath of its exports map, and uses the
// core's main names, compiled with skipLibCheck off so our declarations are checked too.
// The same install checks that every source map points at a file the packages ship.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConsumer, thirdParty } from "../lib/consumer.mjs";
import { run } from "../lib/processes.mjs";
import { checkSourceMaps } from "../lib/source-maps.mjs";

// The types the adapters' declarations import (peer dependencies a user has anyway).
const TYPES = [
  "typescript",
  "@types/node",
  "koa",
  "@types/koa",
  "@hapi/hapi",
  "express",
  "@types/express",
  "fastify",
  "hono",
];
const TYPES_OPTIONAL = ["bullmq", "ioredis", "@opentelemetry/api"];
// @hapi/hapi's declarations import joi, which it lists only as a dev dependency: Hapi
// users who type-check libraries install it (the version of hapi's own devDependencies).
const NOT_IN_WORKSPACE = { joi: "17.13.3" };

const usage = `
import { WebhookError, createVerifier, standardWebhooks } from "@hooksec/core";

const verifier = createVerifier({ scheme: standardWebhooks({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }) });
export async function receive(request: Request): Promise<{ id: string; at: Date | undefined }> {
  const webhook = await verifier.verify(request);
  return { id: webhook.id, at: webhook.timestamp };
}
export function codeOf(error: unknown): string | undefined {
  return error instanceof WebhookError ? error.code : undefined;
}
`;

const compilerOptions = {
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  types: ["node"],
  strict: true,
  noEmit: true,
  skipLibCheck: false,
};

export default {
  name: "typescript",
  async run(ctx) {
    const hooksec = { ...ctx.versions };
    const folder = await createConsumer(ctx, "typescript", {
      dependencies: { ...hooksec, ...thirdParty(ctx.root, [...TYPES, ...TYPES_OPTIONAL]), ...NOT_IN_WORKSPACE },
      // Only the peers listed above: npm would otherwise add next (not needed for types).
      npmArgs: ["--legacy-peer-deps"],
    });
    checkSourceMaps(folder, Object.keys(ctx.versions));
    const specifiers = [];
    for (const name of Object.keys(ctx.versions)) {
      const manifest = JSON.parse(readFileSync(join(folder, "node_modules", name, "package.json"), "utf8"));
      for (const subpath of Object.keys(manifest.exports ?? { ".": null })) {
        if (subpath === "./package.json") continue;
        specifiers.push(subpath === "." ? name : `${name}/${subpath.slice(2)}`);
      }
    }
    const imports = specifiers.map((specifier, index) => `import * as module${index} from "${specifier}";`).join("\n");
    const all = `export const modules = [${specifiers.map((_, index) => `module${index}`).join(", ")}];\n`;
    writeFileSync(join(folder, "index.ts"), `${imports}\n${all}${usage}`);
    const configs = {
      "tsconfig.node16.json": { ...compilerOptions, module: "node16", moduleResolution: "node16" },
      "tsconfig.bundler.json": { ...compilerOptions, module: "preserve", moduleResolution: "bundler" },
    };
    const tsc = join(folder, "node_modules", "typescript", "bin", "tsc");
    for (const [file, options] of Object.entries(configs)) {
      writeFileSync(
        join(folder, file),
        `${JSON.stringify({ compilerOptions: options, files: ["index.ts"] }, null, 2)}\n`,
      );
      await run(process.execPath, [tsc, "-p", file], { cwd: folder }).catch((error) => {
        throw new Error(`${file} (${specifiers.length} entry points):\n${error.output ?? error.message}`);
      });
    }
  },
};
