// End to end through Fastify on loopback, with autocannon (the shared harness of
// @hooksec/testkit/bench): verified webhooks per second through the `webhook`
// plugin against the same Fastify app whose route only reads the raw body, framed
// by the floor (raw body + one HMAC) and the plugin with an instant receiver.
// Imports the built dist: run `pnpm build` first.
import { BENCH_SECRET, floorVerify, instantReceiver, readRaw, runAdapterBench } from "@hooksec/testkit/bench";
import Fastify from "fastify";
import { standardWebhooks, webhook } from "../dist/index.js";

await runAdapterBench({
  title: "Fastify",
  label: "webhook plugin verified webhooks",
  adapterLabel: "webhook plugin with an instant receiver",
  target: 0.95,
  serve: async () => {
    const app = Fastify();
    const handler = async (request, reply) => {
      if (request.webhook === undefined) throw new Error("not verified");
      return reply.code(204).send();
    };
    // The baseline and the floor read the raw stream themselves, as the plugin does.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
      scope.post("/raw", async (request, reply) => {
        await readRaw(request.body);
        return reply.code(204).send();
      });
      scope.post("/floor", async (request, reply) =>
        reply.code(floorVerify(request.headers, await readRaw(request.body)) ? 204 : 401).send(),
      );
    });
    // The plugin's own cost: the same plugin with a receiver that accepts at once.
    await app.register(async (scope) => {
      await scope.register(webhook, { receiver: instantReceiver });
      scope.post("/adapter", handler);
    });
    await app.register(async (scope) => {
      await scope.register(webhook, { scheme: standardWebhooks({ secret: BENCH_SECRET }) });
      scope.post("/webhooks", handler);
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    return app.server.address().port;
  },
});
