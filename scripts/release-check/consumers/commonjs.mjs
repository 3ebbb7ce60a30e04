// A CommonJS file that require()s the ESM packages (Node >= 20.19 require(esm)) and
// verifies one webhook; also proves @hooksec/core installs and loads without undici.
import { createConsumer, thirdParty } from "../lib/consumer.mjs";
import { run } from "../lib/processes.mjs";
import { WEBHOOK_SECRET } from "../lib/webhooks.mjs";

const source = `"use strict";
const assert = require("node:assert/strict");
const { WebhookError, createVerifier, standardWebhooks } = require("@hooksec/core");
const { webhook } = require("@hooksec/koa");

assert.equal(typeof webhook, "function", "@hooksec/koa's webhook is not a function under require()");
assert.throws(() => require.resolve("undici"), { code: "MODULE_NOT_FOUND" }, "undici got installed with @hooksec/core (it is an optional peer)");

async function main() {
  const scheme = standardWebhooks({ secret: process.env.WEBHOOK_SECRET });
  const body = JSON.stringify({ type: "commonjs" });
  const headers = await scheme.sign({ id: "msg_commonjs", timestamp: new Date(), body });
  const verifier = createVerifier({ scheme });
  const request = (text) => new Request("http://127.0.0.1/webhooks", { method: "POST", headers, body: text });
  const verified = await verifier.verify(request(body));
  assert.equal(verified.id, "msg_commonjs");
  await assert.rejects(verifier.verify(request(\`\${body} \`)), (error) => error instanceof WebhookError && error.status === 401);
  console.log("ok");
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

export default {
  name: "commonjs",
  async run(ctx) {
    const folder = await createConsumer(ctx, "commonjs", {
      dependencies: {
        "@hooksec/core": ctx.versions["@hooksec/core"],
        "@hooksec/koa": ctx.versions["@hooksec/koa"],
        ...thirdParty(ctx.root, ["koa"]),
      },
      files: { "consumer.cjs": source },
    });
    const output = await run(process.execPath, ["consumer.cjs"], { cwd: folder, env: { WEBHOOK_SECRET } });
    if (!output.includes("ok")) throw new Error(`consumer.cjs printed no ok:\n${output}`);
  },
};
