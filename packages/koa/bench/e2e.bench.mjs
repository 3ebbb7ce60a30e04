// End to end through Koa on loopback, with autocannon (the shared harness of
// @hooksec/testkit/bench): verified webhooks per second through `webhook()`
// against the same Koa app whose route only reads the raw body, framed by the
// floor (raw body + one HMAC) and the middleware with an instant receiver.
// Imports the built dist: run `pnpm build` first.
import { createServer } from "node:http";
import { BENCH_SECRET, floorVerify, instantReceiver, readRaw, runAdapterBench } from "@hooksec/testkit/bench";
import Koa from "koa";
import { standardWebhooks, webhook } from "../dist/index.js";

await runAdapterBench({
  title: "Koa",
  label: "webhook() verified webhooks",
  adapterLabel: "webhook() with an instant receiver",
  target: 0.95,
  serve: async () => {
    const app = new Koa();
    const verify = webhook({ scheme: standardWebhooks({ secret: BENCH_SECRET }) });
    // The adapter's own cost: the same middleware with a receiver that accepts at once.
    const adapterOnly = webhook(instantReceiver);
    app.use(async (ctx, next) => {
      if (ctx.path === "/raw") {
        // The baseline: read the raw bytes, answer 204.
        await readRaw(ctx.req);
        ctx.status = 204;
        return;
      }
      if (ctx.path === "/floor") {
        ctx.status = floorVerify(ctx.req.headers, await readRaw(ctx.req)) ? 204 : 401;
        return;
      }
      if (ctx.path === "/adapter") return adapterOnly(ctx, next);
      return verify(ctx, next);
    });
    app.use((ctx) => {
      if (ctx.state.webhook === undefined) throw new Error("not verified");
      ctx.status = 204;
    });
    const server = createServer(app.callback());
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server.address().port;
  },
});
