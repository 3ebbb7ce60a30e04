import { thirdParty } from "../lib/consumer.mjs";
import { checkServerApp } from "../lib/server-app.mjs";

const server = `import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { standardWebhooks, webhook } from "@hooksec/hono";

const app = new Hono();
app.post("/webhooks", webhook({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) }), (c) =>
  c.json({ id: c.get("webhook").id }),
);
serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => console.log(\`listening on \${info.port}\`));
`;

export default {
  name: "hono",
  run: (ctx) =>
    checkServerApp(ctx, "hono", {
      dependencies: {
        "@hooksec/hono": ctx.versions["@hooksec/hono"],
        ...thirdParty(ctx.root, ["hono", "@hono/node-server"]),
      },
      server,
    }),
};
