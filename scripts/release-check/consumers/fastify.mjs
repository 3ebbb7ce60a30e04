import { thirdParty } from "../lib/consumer.mjs";
import { checkServerApp } from "../lib/server-app.mjs";

const server = `import Fastify from "fastify";
import { standardWebhooks, webhook } from "@hooksec/fastify";

const app = Fastify();
app.register(async (scope) => {
  await scope.register(webhook, { scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
  scope.post("/webhooks", async (request) => ({ id: request.webhook.id }));
});
await app.listen({ port: 0, host: "127.0.0.1" });
console.log(\`listening on \${app.server.address().port}\`);
`;

export default {
  name: "fastify",
  run: (ctx) =>
    checkServerApp(ctx, "fastify", {
      dependencies: { "@hooksec/fastify": ctx.versions["@hooksec/fastify"], ...thirdParty(ctx.root, ["fastify"]) },
      server,
    }),
};
