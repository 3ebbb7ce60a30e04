import { thirdParty } from "../lib/consumer.mjs";
import { checkServerApp } from "../lib/server-app.mjs";

const server = `import Koa from "koa";
import { standardWebhooks, webhook } from "@hooksec/koa";

const app = new Koa();
const verify = webhook({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
app.use((ctx, next) => (ctx.method === "POST" && ctx.path === "/webhooks" ? verify(ctx, next) : next()));
app.use((ctx) => {
  ctx.body = { id: ctx.state.webhook.id };
});
const listener = app.listen(0, "127.0.0.1", () => console.log(\`listening on \${listener.address().port}\`));
`;

export default {
  name: "koa",
  run: (ctx) =>
    checkServerApp(ctx, "koa", {
      dependencies: { "@hooksec/koa": ctx.versions["@hooksec/koa"], ...thirdParty(ctx.root, ["koa"]) },
      server,
    }),
};
