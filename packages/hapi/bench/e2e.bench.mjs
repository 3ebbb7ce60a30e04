// End to end through Hapi on loopback, with autocannon (the shared harness of
// @hooksec/testkit/bench): verified webhooks per second through the `webhook`
// auth scheme against the same server's route that only reads the raw body
// (payload { parse: false, output: "data" }), framed by the floor (raw body +
// one HMAC) and the scheme with an instant receiver.
// Imports the built dist: run `pnpm build` first.
import Hapi from "@hapi/hapi";
import { BENCH_SECRET, floorVerify, instantReceiver, runAdapterBench } from "@hooksec/testkit/bench";
import { getWebhook, plugin, rawPayload, standardWebhooks } from "../dist/index.js";

await runAdapterBench({
  title: "Hapi",
  label: "webhook auth scheme, verified",
  adapterLabel: "webhook scheme with an instant receiver",
  target: 0.95,
  serve: async () => {
    const server = Hapi.server({ port: 0, host: "127.0.0.1" });
    await server.register(plugin);
    server.auth.strategy("webhooks", "webhook", { scheme: standardWebhooks({ secret: BENCH_SECRET }) });
    // The adapter's own cost: the same scheme with a receiver that accepts at once.
    server.auth.strategy("instant", "webhook", instantReceiver);
    // The baseline: Hapi reads the raw bytes, the handler answers 204.
    const raw = { parse: false, output: "data", maxBytes: 1_048_576 };
    const answer = (_request, h) => h.response().code(204);
    server.route({ method: "POST", path: "/raw", options: { payload: raw }, handler: answer });
    server.route({
      method: "POST",
      path: "/floor",
      options: { payload: raw },
      handler: (request, h) => h.response().code(floorVerify(request.headers, request.payload) ? 204 : 401),
    });
    server.route({
      method: "POST",
      path: "/adapter",
      options: { auth: "instant", payload: rawPayload },
      handler: answer,
    });
    server.route({
      method: "POST",
      path: "/webhooks",
      options: { auth: "webhooks", payload: rawPayload },
      handler: (request, h) => {
        getWebhook(request);
        return h.response().code(204);
      },
    });
    await server.start();
    return server.info.port;
  },
});
