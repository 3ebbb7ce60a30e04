// A real receiver for the worker tests: node:http on loopback, the core's receive
// lifecycle (createReceiver) with Standard Webhooks and an in-memory replay store.
// `script` decides each answer before the lifecycle runs (a failing or slow endpoint).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryReplayStore, createReceiver, standardWebhooks } from "@hooksec/core";

interface Received {
  readonly id: string;
  readonly at: number;
  readonly signature: string;
  readonly body: string;
}

/** A scripted answer: a status (and headers) instead of the lifecycle, or undefined to verify and process. */
type Script = (
  request: IncomingMessage,
  attempt: number,
) => { status: number; headers?: Record<string, string>; body?: string } | undefined;

export interface TestReceiver {
  readonly url: string;
  /** Every request, in arrival order (before the lifecycle). */
  readonly requests: Array<{ id: string; at: number; signature: string }>;
  /** Messages whose handler ran. */
  readonly processed: Received[];
  script: Script | undefined;
  /** Milliseconds each handler run takes (a slow consumer). */
  handlerDelayMs: number;
  /** Verifies with these secrets from now on. */
  useSecrets(secrets: string[]): void;
  /** Drops kept-alive connections, so the next delivery connects (and resolves) anew. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startReceiver(secrets: string[]): Promise<TestReceiver> {
  let receiver = build(secrets);
  const requests: TestReceiver["requests"] = [];
  const processed: Received[] = [];
  const state: { script: Script | undefined; handlerDelayMs: number } = { script: undefined, handlerDelayMs: 0 };
  const server: Server = createServer(async (request, response) => {
    const id = String(request.headers["webhook-id"] ?? "");
    requests.push({ id, at: Date.now(), signature: String(request.headers["webhook-signature"] ?? "") });
    const scripted = state.script?.(request, requests.filter((entry) => entry.id === id).length);
    if (scripted !== undefined) {
      for await (const _chunk of request) {
        // drain
      }
      response.writeHead(scripted.status, { "content-type": "application/json", ...scripted.headers });
      response.end(scripted.body ?? "{}");
      return;
    }
    const outcome = await receiver.receive(
      { method: "POST", url: `http://127.0.0.1${request.url ?? "/"}`, headers: request.headers, body: request },
      async (webhook) => {
        if (state.handlerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.handlerDelayMs));
        processed.push({
          id: webhook.id,
          at: Date.now(),
          signature: String(request.headers["webhook-signature"]),
          body: new TextDecoder().decode(webhook.body),
        });
        return { status: 200 };
      },
    );
    if (outcome.handled) {
      response.writeHead(outcome.result.status);
      response.end("ok");
      return;
    }
    response.writeHead(outcome.response.status, { "content-type": "application/json", ...outcome.response.headers });
    response.end(JSON.stringify(outcome.response.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    requests,
    processed,
    get script() {
      return state.script;
    },
    set script(value) {
      state.script = value;
    },
    get handlerDelayMs() {
      return state.handlerDelayMs;
    },
    set handlerDelayMs(value) {
      state.handlerDelayMs = value;
    },
    useSecrets(next) {
      receiver = build(next);
    },
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function build(secrets: string[]) {
  return createReceiver({ scheme: standardWebhooks({ secrets }), replay: { store: createMemoryReplayStore() } });
}
