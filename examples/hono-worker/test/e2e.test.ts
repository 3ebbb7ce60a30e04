// The Worker bundled as `pnpm build` bundles it (scripts/bundle.mjs, from the built
// packages as users get them) and run in real workerd, Cloudflare's runtime, as
// `pnpm start` runs it (scripts/serve.mjs), on a free loopback port; then real HTTP
// deliveries. workerd comes from the npm package in the lockfile: a missing binary
// skips locally with a message and fails under CI=true (the testkit's rule).
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Reply,
  randomSecret,
  requireBinaries,
  send,
  signed,
  standardWebhooksHeaders,
  waitUntil,
} from "@hooksec/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleWorker } from "../scripts/bundle.mjs";
import { findWorkerd, type RunningWorker, serveWorker } from "../scripts/serve.mjs";

const workerd = findWorkerd();
const available = requireBinaries("the Hono Worker example in workerd", {
  [`workerd (npm workerd@${workerd.version ?? "?"}${workerd.missing ? `: ${workerd.missing}` : ""})`]: workerd.path,
});

const MAX_BODY_BYTES = 64 * 1024;

describe.runIf(available)(`the Hono Worker example in workerd ${workerd.version}`, () => {
  const secret = randomSecret();
  let dir: string;
  let worker: RunningWorker;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hooksec-hono-worker-"));
    await bundleWorker(join(dir, "worker.js"));
    // The bindings, as `wrangler secret put` and [vars] would set them.
    worker = await serveWorker({
      dir,
      env: { WEBHOOK_SECRET: secret, MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
      output: "capture",
    });
  });
  afterAll(async () => {
    await worker?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const deliver = (sent: { headers: Record<string, string>; body: string }) => send(`${worker.url}/webhooks`, sent);
  const processedIds = async () =>
    ((await send(`${worker.url}/events`, { method: "GET" })).body as unknown as { id: string }[]).map(
      (event) => event.id,
    );

  it("processes a valid delivery once, with the secret from the WEBHOOK_SECRET binding", async () => {
    const sent = signed(secret, { type: "invoice.paid", amount: 42 });
    expect((await deliver(sent)).status).toBe(204);
    const listed = await send(`${worker.url}/events`, { method: "GET" });
    expect(listed.body).toContainEqual({ id: sent.id, type: "invoice.paid", keyId: expect.any(String) });
  });

  it("acknowledges a duplicate with 200 and does not process it again", async () => {
    const sent = signed(secret, { type: "invoice.paid" });
    expect((await deliver(sent)).status).toBe(204);
    const again = await deliver(sent);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true, id: sent.id });
    expect((await processedIds()).filter((id) => id === sent.id)).toHaveLength(1);
  });

  it("refuses a tampered body with 401 invalid_signature", async () => {
    const sent = signed(secret, { type: "invoice.paid", amount: 42 });
    expectRefused(await deliver({ ...sent, body: sent.body.replace("42", "4200") }), 401, "invalid_signature");
    expect(await processedIds()).not.toContain(sent.id);
  });

  it("refuses a delivery signed with another secret with 401 invalid_signature", async () => {
    const sent = signed(randomSecret(), { type: "invoice.paid" });
    expectRefused(await deliver(sent), 401, "invalid_signature");
    expect(await processedIds()).not.toContain(sent.id);
  });

  it("refuses a stale delivery with 401 timestamp_too_old", async () => {
    const sent = signed(secret, { type: "invoice.paid" }, { timestamp: new Date(Date.now() - 10 * 60_000) });
    expectRefused(await deliver(sent), 401, "timestamp_too_old");
    expect(await processedIds()).not.toContain(sent.id);
  });

  it("refuses a body over MAX_BODY_BYTES with 413 body_too_large, declared or chunked", async () => {
    const sent = signed(secret, { type: "big", data: "x".repeat(MAX_BODY_BYTES + 1024) });
    expectRefused(await deliver(sent), 413, "body_too_large");
    // No content-length: the limit holds while the stream is read.
    const chunked = await postChunked(`${worker.url}/webhooks`, sent.headers, [
      sent.body.slice(0, 4096),
      sent.body.slice(4096),
    ]);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.text)).toMatchObject({ error: { code: "body_too_large" } });
    expect(await processedIds()).not.toContain(sent.id);
  });

  it("processes the retry once after the handler failed (500, the message released)", async () => {
    const sent = signed(secret, { type: "demo.fail_once" });
    const failed = await deliver(sent);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: { code: "internal_error", message: "Internal Server Error" } });
    expect((await deliver(sent)).status).toBe(204);
    expect((await deliver(sent)).status).toBe(200);
    expect((await processedIds()).filter((id) => id === sent.id)).toHaveLength(1);
  });

  it("answers a signed body that is not JSON with 400 malformed_body", async () => {
    const id = `msg_not_json_${Date.now()}`;
    const body = "not json";
    expectRefused(
      await deliver({ headers: standardWebhooksHeaders(secret, { id, timestamp: new Date(), body }), body }),
      400,
      "malformed_body",
    );
    expect(await processedIds()).not.toContain(id);
  });

  it("answers a generic 500 and logs which binding is missing when WEBHOOK_SECRET is unset", async () => {
    // The same bundle and config; only the environment the binding is read from differs.
    const misconfigured = await serveWorker({ dir, env: { WEBHOOK_SECRET: undefined }, output: "capture" });
    try {
      const reply = await send(`${misconfigured.url}/webhooks`, signed(secret, { type: "invoice.paid" }));
      expect(reply.status).toBe(500);
      expect(reply.text).not.toContain("WEBHOOK_SECRET");
      // workerd prints the Worker's console output after the response went out.
      await waitUntil("the log line", async () =>
        misconfigured.output().includes("the WEBHOOK_SECRET binding is not set"),
      );
    } finally {
      await misconfigured.stop();
    }
  });
});

/** The status and the error code of a refusal. */
function expectRefused(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(reply.body.error?.code).toBe(code);
}

/** A POST in chunks (transfer-encoding: chunked, no content-length); the server may close once it answered. */
function postChunked(
  url: string,
  headers: Record<string, string>,
  chunks: string[],
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", ...headers, "transfer-encoding": "chunked" },
        agent: false,
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
