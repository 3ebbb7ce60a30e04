// `pnpm start`: the example on PORT (default 3000) with WEBHOOK_SECRET.
import { standardWebhooks } from "@hooksec/koa";
import { pino } from "pino";
import { createObservableApp } from "./app.js";

const secret = process.env.WEBHOOK_SECRET;
if (secret === undefined || secret === "") {
  console.error("set WEBHOOK_SECRET (hooksec secret prints a new one)");
  process.exit(2);
}
const { app } = createObservableApp({ receiver: { scheme: standardWebhooks({ secret }) }, logger: pino() });
app.listen(Number(process.env.PORT ?? 3000));
