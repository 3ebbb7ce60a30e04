// The Fastify example started for real on loopback and sent real requests: over
// plain HTTP, with Node terminating mTLS, and behind nginx (the Koa example's
// nginx/mtls-proxy.conf: the proxy does not care which framework is behind it).
import { describeReceiver } from "@hooksec/testkit/receiver-suite";
import { start } from "../src/index.js";

describeReceiver({
  name: "the Fastify example",
  start,
  // The example's inbox fails on the first delivery of this type, like a database briefly down.
  failOncePayload: { type: "demo.fail_once" },
  misconfigured: {
    title: "when a JSON parser is put back in the webhook scope",
    // The classic mistake: the plugin's raw parser replaced by a parsing one after it.
    start: async (secret) => ({
      receiver: await start({
        secret,
        webhookScope: (scope) =>
          scope.addContentTypeParser(
            "application/json",
            { parseAs: "string" },
            scope.getDefaultJsonParser("ignore", "ignore"),
          ),
      }),
      path: "/webhooks",
    }),
  },
  nginxTemplate: new URL("../../koa/nginx/mtls-proxy.conf", import.meta.url),
});
