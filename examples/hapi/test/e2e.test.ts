// The Hapi example started for real on loopback and sent real requests: over
// plain HTTP, with Node terminating mTLS, and behind nginx (the Koa example's
// nginx/mtls-proxy.conf: the proxy does not care which framework is behind it).
import { getWebhook } from "@hooksec/hapi";
import { describeReceiver } from "@hooksec/testkit/receiver-suite";
import { start } from "../src/index.js";

describeReceiver({
  name: "the Hapi example",
  start,
  // The example's inbox fails on the first delivery of this type, like a database briefly down.
  failOncePayload: { type: "demo.fail_once" },
  misconfigured: {
    title: "on a route that parses the payload",
    start: async (secret) => {
      const receiver = await start({ secret });
      // The classic mistake: a webhook route that keeps Hapi's default payload parsing.
      receiver.server.route({
        method: "POST",
        path: "/webhooks-parsed",
        options: { auth: "webhooks" },
        handler: (request, h) => {
          receiver.inbox.process(getWebhook(request));
          return h.response().code(204);
        },
      });
      return { receiver, path: "/webhooks-parsed" };
    },
  },
  nginxTemplate: new URL("../../koa/nginx/mtls-proxy.conf", import.meta.url),
});
