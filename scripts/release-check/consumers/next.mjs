// A Next.js App Router app: `next build` then `next start`, one route in the Node.js
// runtime and one in the edge runtime, each receiving a valid and a tampered webhook.
import { createConsumer, thirdParty } from "../lib/consumer.mjs";
import { startServer, run } from "../lib/processes.mjs";
import { freePort } from "../lib/registry.mjs";
import { WEBHOOK_SECRET, expectValidAndTampered } from "../lib/webhooks.mjs";

const route = (runtime) => `import { standardWebhooks, withWebhook } from "@hooksec/next";
${runtime === "edge" ? 'export const runtime = "edge";\n' : ""}
// Options as a function: read on the first request, so the build needs no secret.
export const POST = withWebhook(
  () => ({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET ?? "" }) }),
  async (webhook) => Response.json({ id: webhook.id, runtime: "${runtime}" }),
);
`;

const files = {
  "app/api/node/route.js": route("nodejs"),
  "app/api/edge/route.js": route("edge"),
  "app/layout.js": "export default function RootLayout({ children }) {\n  return children;\n}\n",
  // The temp folder is its own root (no lockfile above it to guess from).
  "next.config.mjs": `const root = new URL(".", import.meta.url).pathname;\nexport default { outputFileTracingRoot: root, turbopack: { root } };\n`,
};

export default {
  name: "next",
  async run(ctx) {
    const folder = await createConsumer(ctx, "next", {
      dependencies: {
        "@hooksec/next": ctx.versions["@hooksec/next"],
        ...thirdParty(ctx.root, ["next", "react", "react-dom"]),
      },
      files,
    });
    const next = "node_modules/next/dist/bin/next";
    const env = { NEXT_TELEMETRY_DISABLED: "1", WEBHOOK_SECRET };
    await run(process.execPath, [next, "build"], { cwd: folder, env, timeoutMs: 600_000 });
    const port = await freePort();
    const app = startServer(process.execPath, [next, "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: folder,
      env,
      ready: /Ready in|started server/i,
    });
    try {
      await app.started;
      await expectValidAndTampered(`http://127.0.0.1:${port}/api/node`);
      await expectValidAndTampered(`http://127.0.0.1:${port}/api/edge`);
    } catch (error) {
      error.message += `\n--- next start output ---\n${app.output().trimEnd()}`;
      throw error;
    } finally {
      app.stop();
    }
  },
};
