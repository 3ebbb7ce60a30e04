import {
  type ConnectionInfo,
  type Receiver,
  type ReceiverOptions,
  type VerifiedWebhook,
  type WebhookResponse,
  createReceiver,
  isWebhookError,
} from "@hooksec/core";
import { type ReceiveInput, bodyConsumed } from "@hooksec/core/receiver";
import type { Context, MiddlewareHandler } from "hono";
import type { GetConnInfo } from "hono/conninfo";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Receiver options (`scheme`, `tolerance`, `replay`, `identity`, ...) or a receiver built once and shared. */
export type HonoWebhookOptions = ReceiverOptions | Receiver;

/** What the middleware leaves for the handlers after it: `new Hono<WebhookEnv>()` types `c.get("webhook")`. */
export interface WebhookEnv {
  Variables: { webhook: VerifiedWebhook };
}

/** Runtime wiring for the Hono {@link webhook} middleware, apart from the receiver options. */
export interface HonoWebhookSettings {
  /**
   * Your runtime's `getConnInfo` (`@hono/node-server/conninfo`, `hono/bun`, `hono/deno`,
   * `hono/cloudflare-workers`...): the peer address for `allowlist` and per-IP limits.
   * Without it the lifecycle knows no peer address.
   */
  readonly getConnInfo?: GetConnInfo;
}

/** How the handlers after the middleware ended. */
interface HandlerAnswer {
  readonly status: number;
  readonly failed: boolean;
}

const PARSER_RAN_FIRST =
  'a middleware read the request body before webhook() (c.req.json(), c.req.text(), c.req.parseBody() or validator()), so the signed bytes are gone. Mount webhook() first on the webhook route: app.post("/webhooks", webhook(options), handler); after it, c.req.json() and the validators read the verified bytes';

/**
 * Hono middleware that receives a webhook: verifies it on its raw bytes, runs
 * the handlers after it (the result in `c.get("webhook")`) for a message not
 * processed yet, and answers everything else itself. Web standards only: the
 * same code runs on Node.js (`@hono/node-server`), Bun, Deno and Cloudflare Workers.
 *
 * - A refusal answers its status with `{ error: { code, message } }` (`Retry-After` on 409 and 429).
 * - A message already processed is acknowledged with 200; one being processed by
 *   another delivery gets 409 `message_in_progress`. Your handler does not run.
 * - When your handler throws (your `app.onError` answers) or answers 5xx, the
 *   message is released so the sender's retry is processed. A `WebhookError` it
 *   throws (`webhook.json()` on a body that is not JSON) is answered with its code.
 * - Setup mistakes (a middleware that read the body first) are thrown to
 *   `app.onError` with a message that says how to fix them.
 *
 * The body is read once: after the middleware, `c.req.json()`, `c.req.text()` and
 * the validators read the verified bytes.
 *
 * @example
 * const app = new Hono<WebhookEnv>();
 * app.post("/webhooks", webhook({ scheme: standardWebhooks({ secret: env.WEBHOOK_SECRET }) }), async (c) => {
 *   const event = c.get("webhook").json();
 *   return c.body(null, 204);
 * });
 */
export function webhook(
  options: HonoWebhookOptions,
  settings: HonoWebhookSettings = {},
): MiddlewareHandler<WebhookEnv> {
  const receiver = isReceiver(options) ? options : createReceiver(options);
  const { getConnInfo } = settings;

  return createMiddleware<WebhookEnv>(async function receiveWebhook(c, next) {
    const outcome = await receiver.receive(
      await requestParts(c, getConnInfo),
      async (verified): Promise<HandlerAnswer> => {
        c.set("webhook", verified);
        // Handlers after this one read the verified bytes, not the spent stream.
        cacheOf(c).arrayBuffer = Promise.resolve(arrayBufferOf(verified.body));
        await next();
        // Hono's onError already answered what the handler threw: answer a refusal
        // instead (the core turns it into its response), keep anything else.
        if (isWebhookError(c.error) && !c.error.isSetupError) throw c.error;
        return { status: c.res.status, failed: c.error !== undefined || c.res.status >= 500 };
      },
      { failed: (answer) => answer.failed },
    );
    if (outcome.handled) return undefined;
    const refusal = respond(c, outcome.response);
    if (c.finalized) {
      // The handler's error was already answered by onError: the refusal replaces it, whole.
      c.res = undefined;
      c.res = refusal;
    }
    return refusal;
  });
}

async function requestParts(c: Context, getConnInfo: GetConnInfo | undefined): Promise<ReceiveInput> {
  const request = c.req.raw;
  const incoming = request.bodyUsed ? undefined : unreadNodeRequest(c.env);
  if (getConnInfo === undefined && incoming === undefined && !request.bodyUsed) return request;
  const connection = getConnInfo === undefined ? undefined : connectionOf(getConnInfo, c);
  const parts = { method: request.method, url: request.url, headers: request.headers, connection };
  if (incoming !== undefined) return { ...parts, body: incoming };
  if (!request.bodyUsed) return { ...parts, body: request };
  // A middleware before this one read the body; the raw bytes survive only in Hono's
  // cache of an arrayBuffer() or blob() read (text and JSON are decoded, not the bytes).
  const { arrayBuffer, blob } = cacheOf(c);
  if (arrayBuffer !== undefined) return { ...parts, body: new Uint8Array(await arrayBuffer) };
  if (blob !== undefined) return { ...parts, body: new Uint8Array(await (await blob).arrayBuffer()) };
  return { ...parts, body: bodyConsumed(PARSER_RAN_FIRST) };
}

/** What @hono/node-server's `c.env.incoming` (a Node `IncomingMessage`) is, by shape: no Node types here. */
interface NodeIncoming extends AsyncIterable<Uint8Array> {
  readonly readableDidRead: boolean;
  readonly readableFlowing: boolean | null;
}

/**
 * On Node.js, `@hono/node-server` puts the request stream on `c.env.incoming`. The core
 * reads it as it reads Koa's or Express's (within the limit, several times faster than
 * through the Web stream `c.req.raw.body` would wrap it in), as long as nothing touched
 * it yet. Elsewhere (Bun, Deno, Workers) there is none and `c.req.raw` is read.
 */
function unreadNodeRequest(env: unknown): NodeIncoming | undefined {
  const incoming = (env as { incoming?: Partial<NodeIncoming> } | undefined)?.incoming;
  if (typeof incoming !== "object" || incoming === null || typeof incoming[Symbol.asyncIterator] !== "function")
    return undefined;
  if (incoming.readableDidRead !== false || incoming.readableFlowing !== null) return undefined;
  return incoming as NodeIncoming;
}

/** Hono's body cache holds promises (its type says values): a read is `await`ed either way. */
function cacheOf(c: Context): { arrayBuffer?: Promise<ArrayBuffer> | ArrayBuffer; blob?: Promise<Blob> | Blob } {
  return c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer> | ArrayBuffer; blob?: Promise<Blob> | Blob };
}

function connectionOf(getConnInfo: GetConnInfo, c: Context): ConnectionInfo {
  return { remoteAddress: getConnInfo(c).remote.address };
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  const whole =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
}

function respond(c: Context, response: WebhookResponse): Response {
  // Runtime-neutral: the server closes the connection instead of reading the rest of the body.
  const headers = response.closeConnection ? { ...response.headers, connection: "close" } : response.headers;
  return c.json(response.body, response.status as ContentfulStatusCode, headers);
}

function isReceiver(options: HonoWebhookOptions): options is Receiver {
  return typeof (options as Receiver).receive === "function";
}
