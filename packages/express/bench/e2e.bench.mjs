// End to end through Express on loopback, with autocannon (the shared harness of
// @hooksec/testkit/bench): verified webhooks per second through `webhook()`
// against the same Express app whose route only reads the raw body, framed by the
// floor (raw body + one HMAC) and the middleware with an instant receiver.
// Imports the built dist: run `pnpm build` first.
import { BENCH_SECRET, floorVerify, instantReceiver, readRaw, runAdapterBench } from "@hooksec/testkit/bench";
import express from "express";
import { standardWebhooks, webhook } from "../dist/index.js";

await runAdapterBench({
  title: "Express",
  label: "webhook() verified webhooks",
  adapterLabel: "webhook() with an instant receiver",
  target: 0.95,
  serve: async () => {
    const app = express();
    const handler = (req, res) => {
      if (req.webhook === undefined) throw new Error("not verified");
      res.sendStatus(204);
    };
    // The baseline: read the raw bytes, answer 204.
    app.post("/raw", async (req, res) => {
      await readRaw(req);
      res.sendStatus(204);
    });
    app.post("/floor", async (req, res) => {
      res.sendStatus(floorVerify(req.headers, await readRaw(req)) ? 204 : 401);
    });
    // The adapter's own cost: the same middleware with a receiver that accepts at once.
    app.post("/adapter", webhook(instantReceiver), handler);
    app.post("/webhooks", webhook({ scheme: standardWebhooks({ secret: BENCH_SECRET }) }), handler);
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    return server.address().port;
  },
});
