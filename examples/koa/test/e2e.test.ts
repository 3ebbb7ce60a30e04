// The Koa example started for real on loopback and sent real requests: over
// plain HTTP, with Node terminating mTLS, and behind nginx (nginx/mtls-proxy.conf).
import { bodyParser } from "@koa/bodyparser";
import { describeReceiver } from "@hooksec/testkit/receiver-suite";
import { start } from "../src/index.js";

describeReceiver({
  name: "the Koa example",
  start,
  // The example's inbox fails on the first delivery of this type, like a database briefly down.
  failOncePayload: { type: "demo.fail_once" },
  misconfigured: {
    title: "when a body parser runs first",
    // What a global body parser in front of the webhook route does.
    start: async (secret) => ({ receiver: await start({ secret, middleware: [bodyParser()] }), path: "/webhooks" }),
  },
  nginxTemplate: new URL("../nginx/mtls-proxy.conf", import.meta.url),
});
