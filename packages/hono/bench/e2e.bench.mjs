// End to end through Hono on @hono/node-server over loopback, with autocannon (the
// shared harness of @hooksec/testkit/bench): verified webhooks per second through
// `webhook()` against the same Hono app whose route only reads the raw body
// (`c.req.arrayBuffer()`), framed by the floor (raw body + one HMAC) and the
// middleware with an instant receiver. Imports the built dist: run `pnpm build` first.
import { serve } from "@hono/node-server";
import { BENCH_SECRET, floorVerify, instantReceiver, runAdapterBench } from "@hooksec/testkit/bench";
import { Hono } from "hono";
import { standardWebhooks, webhook } from "../dist/index.js";

await runAdapterBench({
  title: "Hono (Node.js)",
  label: "webhook() verified webhooks",
  adapterLabel: "webhook() with an instant receiver",
  target: 0.95,
  serve: async () => {
    const app = new Hono();
    const handler = (c) => {
      if (c.get("webhook") === undefined) throw new Error("not verified");
      return c.body(null, 204);
    };
    // The baseline: read the raw bytes, answer 204.
    app.post("/raw", async (c) => {
      await c.req.arrayBuffer();
      return c.body(null, 204);
    });
    app.post("/floor", async (c) =>
      c.body(null, floorVerify(c.req.header(), new Uint8Array(await c.req.arrayBuffer())) ? 204 : 401),
    );
    // The middleware's own cost: the same middleware with a receiver that accepts at once.
    app.post("/adapter", webhook(instantReceiver), handler);
    app.post("/webhooks", webhook({ scheme: standardWebhooks({ secret: BENCH_SECRET }) }), handler);
    return new Promise((resolve) => {
      serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
    });
  },
});
