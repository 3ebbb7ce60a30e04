import { thirdParty } from "../lib/consumer.mjs";
import { checkServerApp } from "../lib/server-app.mjs";

// Also checks that the plugin registers with the version of the package installed.
const server = `import { createRequire } from "node:module";
import Hapi from "@hapi/hapi";
import { getWebhook, plugin, rawPayload, standardWebhooks } from "@hooksec/hapi";

const { version } = createRequire(import.meta.url)("@hooksec/hapi/package.json");
if (plugin.version !== version) {
  console.error(\`plugin.version is \${plugin.version}, the installed package is \${version}\`);
  process.exit(1);
}
const server = Hapi.server({ port: 0, host: "127.0.0.1" });
await server.register(plugin);
server.auth.strategy("webhooks", "webhook", { scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
server.route({
  method: "POST",
  path: "/webhooks",
  options: { auth: "webhooks", payload: rawPayload },
  handler: (request) => ({ id: getWebhook(request).id }),
});
await server.start();
console.log(\`listening on \${server.info.port}\`);
`;

export default {
  name: "hapi",
  run: (ctx) =>
    checkServerApp(ctx, "hapi", {
      dependencies: { "@hooksec/hapi": ctx.versions["@hooksec/hapi"], ...thirdParty(ctx.root, ["@hapi/hapi"]) },
      server,
    }),
};
