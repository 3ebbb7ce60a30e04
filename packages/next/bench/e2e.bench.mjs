// End to end on loopback, with autocannon (the shared harness of
// @hooksec/testkit/bench): verified webhooks per second through a
// `withWebhook()` route handler against a route handler that only reads the raw
// body (`await request.arrayBuffer()`), both served the way the Next.js Node.js
// runtime serves App Router handlers (Node's request turned into a Web
// `Request`, the `Response` written back), framed by the floor (raw body + one
// HMAC) and withWebhook() with an instant receiver.
// Imports the built dist: run `pnpm build` first.
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { BENCH_SECRET, floorVerify, instantReceiver, runAdapterBench } from "@hooksec/testkit/bench";
import { standardWebhooks, withWebhook } from "../dist/index.js";

await runAdapterBench({
  title: "Next.js route handlers (Node.js runtime conversion)",
  label: "withWebhook() verified webhooks",
  adapterLabel: "withWebhook() with an instant receiver",
  serve: async () => {
    const noContent = () => new Response(null, { status: 204 });
    const routes = {
      "/raw": async (request) => {
        await request.arrayBuffer();
        return noContent();
      },
      "/floor": async (request) => {
        const body = new Uint8Array(await request.arrayBuffer());
        return new Response(null, { status: floorVerify(Object.fromEntries(request.headers), body) ? 204 : 401 });
      },
      "/adapter": withWebhook(instantReceiver, noContent),
      "/webhooks": withWebhook({ scheme: standardWebhooks({ secret: BENCH_SECRET }) }, noContent),
    };
    const server = createServer(async (req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
        body: Readable.toWeb(req),
        duplex: "half",
      });
      const response = await routes[req.url](request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server.address().port;
  },
});
