// The Express example started for real on loopback and sent real requests: over
// plain HTTP, with Node terminating mTLS, and behind nginx (the Koa example's
// nginx/mtls-proxy.conf: the proxy does not care which framework is behind it).
import { describeReceiver } from "@hooksec/testkit/receiver-suite";
import express from "express";
import { start } from "../src/index.js";

describeReceiver({
  name: "the Express example",
  start,
  // The example's inbox fails on the first delivery of this type, like a database briefly down.
  failOncePayload: { type: "demo.fail_once" },
  misconfigured: {
    title: "when express.json() is mounted before the webhook route",
    // The classic mistake: app.use(express.json()) ahead of every route.
    start: async (secret) => ({ receiver: await start({ secret, middleware: [express.json()] }), path: "/webhooks" }),
  },
  nginxTemplate: new URL("../../koa/nginx/mtls-proxy.conf", import.meta.url),
});
