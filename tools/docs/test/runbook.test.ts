// docs/incident-response.md, step by step: each section's API calls against a real
// receiver (and, for the sending side, real BullMQ workers on a real Redis), and each
// `hooksec` line exactly as the page prints it, run as the `hooksec` command.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createReceiver,
  createVerifier,
  createMemoryReplayStore,
  standardWebhooks,
  type WebhookError,
  type WebhookEvent,
} from "@hooksec/core";
import { createTenantDirectory, type TenantDirectory, type TenantRule } from "@hooksec/core/identity";
import { createDelivery, createDeliveryWorker, type Delivery, type DeliveryWorker } from "@hooksec/delivery";
import { createWebhookTelemetry } from "@hooksec/otel";
import { findRedisServer, hasOpenssl, type RedisServer, requireBinaries, startRedisServer } from "@hooksec/testkit";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hooksec, json } from "../../../packages/cli/test/run-cli.js";
import { logWebhookEvent } from "../../../examples/observability/src/log-event.js";
import { command, runbookCommands } from "./support/runbook.js";

const newSecret = () => `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;

it("every hooksec line of the runbook is one this file runs", () => {
  const ran = ["secret rotate", "secret retire", "log rejections", "ca init", "ca issue"];
  const lines = runbookCommands();
  expect(lines.length).toBeGreaterThanOrEqual(ran.length);
  for (const args of lines)
    expect(
      ran.some((prefix) => args.join(" ").startsWith(prefix)),
      args.join(" "),
    ).toBe(true);
});

describe("2. rotate a compromised receiving secret", () => {
  it("rotate puts a new secret in front; both verify; retire drops the old one, which is then refused", async () => {
    const old = newSecret();
    const rotated = await hooksec(command("secret rotate"), { env: { WEBHOOK_SECRETS: old } });
    expect(rotated.code, rotated.stderr).toBe(0);
    const { secret, keyring } = json<{ secret: string; keyring: string[] }>(rotated);
    expect(keyring).toEqual([secret, old]);

    const sign = (key: string, id: string) =>
      standardWebhooks({ secret: key }).sign({ id, timestamp: new Date(), body: "{}" });
    const verify = async (keys: string[], headers: Record<string, string>) => {
      const verifier = createVerifier({ scheme: standardWebhooks({ secrets: keys }) });
      return verifier.verifyParts({
        method: "POST",
        url: "https://receiver.example/webhooks",
        headers,
        body: new TextEncoder().encode("{}"),
      });
    };
    expect((await verify(keyring, await sign(old, "msg_old"))).id).toBe("msg_old");
    expect((await verify(keyring, await sign(secret, "msg_new"))).id).toBe("msg_new");

    const retired = await hooksec(command("secret retire"), { env: { WEBHOOK_SECRETS: keyring.join(" ") } });
    expect(retired.code, retired.stderr).toBe(0);
    const remaining = retired.stdout.trim().split(" ");
    expect(remaining).toEqual([secret]);
    await expect(verify(remaining, await sign(old, "msg_old_2"))).rejects.toMatchObject({ code: "invalid_signature" });
    expect((await verify(remaining, await sign(secret, "msg_new_2"))).id).toBe("msg_new_2");
  });
});

describe.runIf(requireBinaries("the runbook's receiving steps", { openssl: hasOpenssl() }))(
  "1, 5 and 6: a receiver with mTLS tenants",
  () => {
    const secrets: Record<string, string> = { "tenant-42": newSecret() };
    const blocked = new Set<string>();
    let tenants: TenantDirectory;
    let dir: string;
    let certificate: string;
    let sdk: {
      points(): Promise<Array<{ value: number; attributes: Record<string, unknown> }>>;
      shutdown(): Promise<void>;
    };
    let receive: (options?: { tamper?: boolean; ip?: string }) => Promise<{ status: number; code: string | undefined }>;
    let flushLog: () => void;
    let sent = 0;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "hooksec-runbook-"));
      // The certificate section's own commands make the CA and the tenant's certificate.
      const init = await hooksec(command("ca init"), { cwd: dir });
      expect(init.code, init.stderr).toBe(0);
      const issue = await hooksec([...command("ca issue"), "--json"], { cwd: dir });
      expect(issue.code, issue.stderr).toBe(0);
      const issued = json<{ subject: string; tenantRules: TenantRule[] }>(issue);
      certificate = readFileSync(join(dir, "tenant-42", "client.crt"), "utf8");
      tenants = createTenantDirectory(issued.tenantRules);

      const reader = new (class extends MetricReader {
        protected override async onShutdown() {}
        protected override async onForceFlush() {}
      })();
      const meterProvider = new MeterProvider({ readers: [reader] });
      sdk = {
        async points() {
          const { resourceMetrics } = await reader.collect();
          const metric = resourceMetrics.scopeMetrics
            .flatMap((scope) => scope.metrics)
            .find((m) => m.descriptor.name === "hooksec.client_certificate.days_until_expiry");
          return (metric?.dataPoints ?? []).map((point) => ({
            value: point.value as number,
            attributes: point.attributes,
          }));
        },
        shutdown: () => meterProvider.shutdown(),
      };
      const telemetry = createWebhookTelemetry({ meterProvider, traces: false, attributes: { tenant: true } });
      const destination = pino.destination({ dest: join(dir, "receiver.log"), sync: true });
      const log = pino({ level: "debug" }, destination);
      flushLog = () => destination.flushSync();

      const receiver = createReceiver({
        scheme: standardWebhooks({
          secrets: ({ tenant }) => (tenant === undefined || blocked.has(tenant) ? undefined : secrets[tenant]),
        }),
        identity: { tenants },
        replay: { store: createMemoryReplayStore() },
        onEvent: (event: WebhookEvent) => {
          telemetry.onEvent(event);
          logWebhookEvent(log, event);
        },
      });
      receive = async ({ tamper = false, ip = "198.51.100.1" } = {}) => {
        const body = JSON.stringify({ n: ++sent });
        const headers = await standardWebhooks({ secret: secrets["tenant-42"] as string }).sign({
          id: `msg_${sent}`,
          timestamp: new Date(),
          body,
        });
        const outcome = await receiver.receive(
          {
            method: "POST",
            url: "https://receiver.example/webhooks",
            headers,
            body: new TextEncoder().encode(tamper ? `${body} ` : body),
            connection: { remoteAddress: ip, peerCertificate: certificate, peerCertificateVerified: true },
          },
          () => ({ status: 204 }),
        );
        if (outcome.handled) return { status: outcome.result.status, code: undefined };
        const { body: answer } = outcome.response;
        return { status: outcome.response.status, code: "error" in answer ? answer.error.code : undefined };
      };
    });

    afterAll(async () => {
      await sdk?.shutdown();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it("1. tenants.disable refuses the tenant's next request 403 tenant_disabled; enable lets it back in", async () => {
      expect(await receive()).toEqual({ status: 204, code: undefined });
      tenants.disable("tenant-42");
      expect(await receive()).toEqual({ status: 403, code: "tenant_disabled" });
      tenants.enable("tenant-42");
      expect(await receive()).toEqual({ status: 204, code: undefined });
    });

    it("1. a secrets lookup that returns nothing for the tenant refuses it 401 invalid_signature", async () => {
      blocked.add("tenant-42");
      expect(await receive()).toEqual({ status: 401, code: "invalid_signature" });
      blocked.delete("tenant-42");
      expect(await receive()).toEqual({ status: 204, code: undefined });
    });

    it("5. hooksec log rejections groups the last hour's refusals by address, tenant and code", async () => {
      for (let i = 0; i < 3; i++)
        expect((await receive({ tamper: true, ip: "203.0.113.7" })).code).toBe("invalid_signature");
      expect((await receive({ tamper: true, ip: "203.0.113.9" })).code).toBe("invalid_signature");
      flushLog();
      const result = await hooksec(command("log rejections"), { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      const rows = json<Array<{ clientIp: string; tenant: string; code: string; count: number }>>(result);
      expect(rows[0]).toMatchObject({
        clientIp: "203.0.113.7",
        tenant: "tenant-42",
        code: "invalid_signature",
        count: 3,
      });
      expect(rows).toContainEqual(
        expect.objectContaining({ clientIp: "203.0.113.9", code: "invalid_signature", count: 1 }),
      );
      // The earlier sections' refusals are there too, under their own codes.
      expect(rows).toContainEqual(
        expect.objectContaining({ clientIp: "198.51.100.1", code: "tenant_disabled", count: 1 }),
      );
    });

    it("6. the certificate's days until expiry is a gauge per tenant, as the alert reads it", async () => {
      expect((await receive()).status).toBe(204);
      const points = await sdk.points();
      expect(points).toHaveLength(1);
      expect(points[0]?.attributes["hooksec.tenant"]).toBe("tenant-42");
      // `--days 90` in the runbook's issue line: 89 whole days and some hours left.
      expect(points[0]?.value).toBeGreaterThanOrEqual(89);
      expect(points[0]?.value).toBeLessThanOrEqual(90);
    });
  },
);

describe.runIf(requireBinaries("the runbook's sending steps", { "redis-server": findRedisServer() }))(
  "1, 3 and 4: durable delivery",
  () => {
    let redis: RedisServer;
    let delivery: Delivery;
    let worker: DeliveryWorker;
    let server: Server;
    let url: string;
    const requests: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const processed: string[] = [];
    let down = false;
    const store = createMemoryReplayStore();
    // What the receiver verifies with; each test sets it before it dispatches.
    let receiverSecrets: string[] = [newSecret()];

    beforeAll(async () => {
      redis = await startRedisServer();
      const shared = {
        connection: { host: "127.0.0.1", port: redis.port },
        queueName: "runbook",
        ssrf: { allowCidrs: ["127.0.0.0/8"], allowHttp: true },
        retry: { delaysMs: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], jitter: 0 },
      };
      delivery = createDelivery(shared);
      worker = createDeliveryWorker({ ...shared, concurrency: 4 });
      server = createServer(async (request, response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        requests.push({ headers: request.headers, body: body.toString("utf8") });
        if (down) {
          response.writeHead(503).end();
          return;
        }
        const receiver = createReceiver({ scheme: standardWebhooks({ secrets: receiverSecrets }), replay: { store } });
        const outcome = await receiver.receive(
          { method: "POST", url: `http://127.0.0.1${request.url}`, headers: request.headers, body },
          (webhook) => {
            processed.push(webhook.id);
            return { status: 204 };
          },
        );
        response.writeHead(outcome.handled ? outcome.result.status : outcome.response.status).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    });

    afterAll(async () => {
      await worker?.close();
      await delivery?.close();
      await new Promise((resolve) => server?.close(resolve));
      await redis?.dispose();
    });

    const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 15_000) => {
      const deadline = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };

    it("1. endpoints.disable: dispatch to it throws endpoint_disabled", async () => {
      const endpoint = await delivery.endpoints.create({ url, secret: receiverSecrets[0] as string });
      await delivery.endpoints.disable(endpoint.id);
      const refused = await delivery.dispatch(endpoint.id, { type: "x" }).catch((error: WebhookError) => error);
      expect(refused).toMatchObject({ code: "endpoint_disabled" });
      await delivery.endpoints.enable(endpoint.id);
      const { messageId, endpointIds } = await delivery.dispatch(endpoint.id, { type: "x" });
      expect(endpointIds).toEqual([endpoint.id]);
      await until("the delivery once enabled again", () => processed.includes(messageId));
    });

    it("3. rotateSecret: during the grace period either secret verifies; after it only the new one", async () => {
      const old = newSecret();
      const endpoint = await delivery.endpoints.create({ url, secret: old });
      receiverSecrets = [old];
      const graceMs = 1500;
      const secret = await delivery.endpoints.rotateSecret(endpoint.id, { graceMs });
      const rotatedAt = Date.now();
      const verifies = async (key: string, request: { headers: IncomingHttpHeaders; body: string }) =>
        createVerifier({ scheme: standardWebhooks({ secret: key }) })
          .verifyParts({ method: "POST", url, headers: request.headers, body: new TextEncoder().encode(request.body) })
          .then(
            () => true,
            (error: WebhookError) => error.code,
          );

      const during = await delivery.dispatch(endpoint.id, { n: 1 });
      await until("the delivery during the grace period", () => processed.includes(during.messageId));
      const first = requests.find((request) => request.headers["webhook-id"] === during.messageId);
      if (first === undefined) throw new Error("not received");
      expect(await verifies(old, first)).toBe(true);
      expect(await verifies(secret, first)).toBe(true);

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotatedAt + graceMs + 100 - Date.now())));
      receiverSecrets = [secret];
      const after = await delivery.dispatch(endpoint.id, { n: 2 });
      await until("the delivery after the grace period", () => processed.includes(after.messageId));
      const second = requests.find((request) => request.headers["webhook-id"] === after.messageId);
      if (second === undefined) throw new Error("not received");
      expect(await verifies(secret, second)).toBe(true);
      expect(await verifies(old, second)).toBe("invalid_signature");
    });

    it("4. pause (disable) dead-letters what comes due; resume (enable + redeliverAll) delivers it once, same id", async () => {
      const secret = newSecret();
      receiverSecrets = [secret];
      const endpoint = await delivery.endpoints.create({ url, secret });
      down = true;
      const { messageId: id } = await delivery.dispatch(endpoint.id, { n: 3 });
      await until("a failed attempt", () => requests.some((request) => request.headers["webhook-id"] === id));

      const pausedAt = Date.now();
      await delivery.endpoints.disable(endpoint.id);
      await until("the dead letter", async () =>
        (await delivery.deadLetters.list({ endpointId: endpoint.id })).some((letter) => letter.messageId === id),
      );
      const letters = await delivery.deadLetters.list({ endpointId: endpoint.id });
      expect(letters.find((letter) => letter.messageId === id)).toMatchObject({ reason: "endpoint_disabled" });

      down = false;
      await delivery.endpoints.enable(endpoint.id);
      expect(await delivery.redeliverAll(endpoint.id, pausedAt)).toBe(1);
      await until("the redelivery", () => processed.includes(id));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(processed.filter((processedId) => processedId === id)).toHaveLength(1);
    });
  },
);
