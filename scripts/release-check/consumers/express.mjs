import { thirdParty } from "../lib/consumer.mjs";
import { checkServerApp } from "../lib/server-app.mjs";

const server = `import express from "express";
import { standardWebhooks, webhook } from "@hooksec/express";

const app = express();
app.post("/webhooks", webhook({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) }), (req, res) => {
  res.json({ id: req.webhook.id });
});
app.use(express.json());
const listener = app.listen(0, "127.0.0.1", () => console.log(\`listening on \${listener.address().port}\`));
`;

export default {
  name: "express",
  run: (ctx) =>
    checkServerApp(ctx, "express", {
      dependencies: { "@hooksec/express": ctx.versions["@hooksec/express"], ...thirdParty(ctx.root, ["express"]) },
      server,
    }),
};
