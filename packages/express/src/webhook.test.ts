import { once } from "node:events";
import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express5, { type Express, type NextFunction, type Request, type Response } from "express";
import express4 from "express4";
import {
  type AdapterReceiverOptions,
  codeOf,
  deliveries,
  describeAdapterContract,
  expectRawBytesKept,
  httpSender,
  post,
} from "@hooksec/testkit/adapter-suite";
import { afterEach, describe, expect, it } from "vitest";
import {
  type VerifiedWebhook,
  WebhookError,
  type WebhookScheme,
  createReceiver,
  standardWebhooks,
  webhook,
} from "./index.js";

const secret = `whsec_${Buffer.from("express adapter test secret, 32b").toString("base64")}`;
const scheme = standardWebhooks({ secret });
const delivery = deliveries(secret);
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(app: Express): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An error handler as apps have one: logs, answers a generic 500 (never the message). */
function errorLog(logs: string[]) {
  return (error: Error, _req: Request, res: Response, _next: NextFunction) => {
    logs.push(error.message);
    res.status(500).json({ error: "internal" });
  };
}

const versionOf = (name: string): string =>
  (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;

for (const [major, express] of [
  [versionOf("express"), express5],
  [versionOf("express4"), express4],
] as const) {
  /** An app whose handler records what it processed; `fail` decides per delivery whether it fails. */
  function receiver(options: AdapterReceiverOptions = {}) {
    const processed: Array<{ id: string; body: Uint8Array }> = [];
    const logs: string[] = [];
    const app = express();
    if (options.parserFirst) app.use(express.json());
    app.post(
      "/webhooks",
      webhook({
        scheme: (options.scheme as WebhookScheme | undefined) ?? scheme,
        maxBodyBytes: options.maxBodyBytes,
        allowlist: options.allowlist,
        onEvent: options.events === undefined ? undefined : (event) => options.events?.push(event),
      }),
      // Written for Express 4 too, which does not catch a rejected promise.
      (req, res, next) => {
        (async () => {
          const received = req.webhook;
          if (received === undefined) throw new Error("not verified");
          if (options.slowMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
          if (options.fail?.()) throw new Error("handler failed");
          processed.push({ id: received.id, body: received.body });
          res.sendStatus(204);
        })().catch(next);
      },
    );
    app.use(errorLog(logs));
    return { app, processed, logs };
  }

  describe(`webhook() middleware for Express ${major}`, () => {
    describeAdapterContract({
      secret,
      receiver: async (options) => {
        const { app, processed, logs } = receiver(options);
        const base = await listen(app);
        return { base, send: httpSender(base), processed, logs };
      },
      WebhookError,
    });

    it("names the fix in the error it passes to next(err) when express.json() ran first", async () => {
      const { app, logs } = receiver({ parserFirst: true });
      const base = await listen(app);
      expect((await post(base, delivery('{"a":1}'))).status).toBe(500);
      expect(logs[0]).toContain('app.post("/webhooks", webhook(options), handler)');
      expect(logs[0]).toContain('express.raw({ type: "*/*" })');
    });

    it('uses the Buffer express.raw({ type: "*/*" }) left in req.body (the pattern Stripe documents)', async () => {
      const app = express();
      const seen: Uint8Array[] = [];
      app.post("/webhooks", express.raw({ type: "*/*" }), webhook({ scheme }), (req, res) => {
        seen.push(req.webhook?.body ?? new Uint8Array());
        res.sendStatus(204);
      });
      const base = await listen(app);
      const sent = delivery('{"via":"express.raw"}');
      expect((await post(base, sent)).status).toBe(204);
      expect(Buffer.from(seen[0] ?? []).toString()).toBe('{"via":"express.raw"}');
      expect((await post(base, { ...sent, body: '{"via":"tampered"}' })).status).toBe(401);
    });

    it("leaves the rest of the app its JSON parsing when the webhook route is declared first (the fix the error names)", async () => {
      const app = express();
      let seen: unknown;
      app.post("/webhooks", webhook({ scheme }), (req, res) => {
        seen = req.webhook?.json();
        res.sendStatus(204);
      });
      app.use(express.json());
      app.post("/api", (req, res) => {
        seen = req.body;
        res.sendStatus(204);
      });
      const base = await listen(app);
      expect((await post(base, delivery('{"via":"webhook"}'))).status).toBe(204);
      expect(seen).toEqual({ via: "webhook" });
      const other = await fetch(`${base}/api`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"via":"parser"}',
      });
      expect(other.status).toBe(204);
      expect(seen).toEqual({ via: "parser" });
    });

    it("reads the stream when an app-wide express.json() skipped the request (another content type)", async () => {
      const app = express();
      app.use(express.json());
      app.post("/webhooks", webhook({ scheme }), (req, res) => {
        res.status(200).send(req.webhook?.text());
      });
      const base = await listen(app);
      const sent = delivery("plain text, not JSON");
      const response = await post(base, { ...sent, headers: { ...sent.headers, "content-type": "text/plain" } });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("plain text, not JSON");
    });

    it("releases the message when the handler answers 5xx, or passes an error to next(err), and completes it after a success", async () => {
      let calls = 0;
      const logs: string[] = [];
      const app = express();
      app.post("/webhooks", webhook({ scheme }), (_req, res, next) => {
        calls++;
        if (calls === 1) res.sendStatus(503);
        else if (calls === 2) next(new WebhookError("malformed_body", "the handler could not use it"));
        else res.sendStatus(204);
      });
      app.use(errorLog(logs));
      const base = await listen(app);
      const sent = delivery("{}");
      expect((await post(base, sent)).status).toBe(503);
      expect((await post(base, sent)).status).toBe(500);
      expect(logs).toEqual(["Malformed webhook body"]);
      expect((await post(base, sent)).status).toBe(204);
      expect((await post(base, sent)).status).toBe(200);
      expect(calls).toBe(3);
    });

    it("keeps the message for a handler that answers after the client hung up, so a retry is a duplicate, not a second run", async () => {
      let runs = 0;
      let answered = false;
      const app = express();
      app.post("/webhooks", webhook({ scheme }), (_req, res) => {
        runs++;
        setTimeout(() => {
          res.sendStatus(204);
          answered = true;
        }, 300);
      });
      const base = await listen(app);
      const sent = delivery("{}");
      const controller = new AbortController();
      const first = fetch(`${base}/webhooks`, {
        method: "POST",
        headers: sent.headers,
        body: sent.body as string,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      await expect(first).rejects.toMatchObject({ name: "AbortError" });
      expect((await post(base, sent)).status).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(answered).toBe(true);
      expect((await post(base, sent)).status).toBe(200);
      expect(runs).toBe(1);
    });
  });
}

describe("webhook() for Express, either major", () => {
  it("types req.webhook on Express's Request through the global augmentation", () => {
    const handler = (req: Request): VerifiedWebhook | undefined => req.webhook;
    expect(typeof handler).toBe("function");
  });

  it("releases the message when an async handler throws in Express 5 (which passes the rejection to its error handler)", async () => {
    let failures = 1;
    const logs: string[] = [];
    const app = express5();
    app.post("/webhooks", webhook({ scheme }), async (_req, res) => {
      await Promise.resolve();
      if (failures-- > 0) throw new Error("database down");
      res.sendStatus(204);
    });
    app.use(errorLog(logs));
    const base = await listen(app);
    const sent = delivery("{}");
    expect((await post(base, sent)).status).toBe(500);
    expect((await post(base, sent)).status).toBe(204);
    expect(logs).toEqual(["database down"]);
  });

  it("passes any byte sequence through unchanged and refuses any single-byte change (property)", async () => {
    const received: Uint8Array[] = [];
    const app = express5();
    app.post("/webhooks", webhook(createReceiver({ scheme, replay: false })), (req, res) => {
      received.push(req.webhook?.body ?? new Uint8Array());
      res.sendStatus(204);
    });
    const base = await listen(app);
    await expectRawBytesKept(base, received, delivery, 30);
  });

  it("answers a malformed request to the JSON refusal shape, with no route handler run", async () => {
    let runs = 0;
    const app = express5();
    app.post("/webhooks", webhook({ scheme }), (_req, res) => {
      runs++;
      res.sendStatus(204);
    });
    const base = await listen(app);
    const response = await fetch(`${base}/webhooks`, { method: "POST", body: "{}" });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await codeOf(response)).toMatch(/^malformed_|missing_/);
    expect(runs).toBe(0);
  });
});
