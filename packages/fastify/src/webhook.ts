import {
  type Receiver,
  type ReceiverOptions,
  type VerifiedWebhook,
  type WebhookResponse,
  createReceiver,
  isWebhookError,
} from "@hooksec/core";
import type { AdmittedDelivery, HandlerFailure, ReceiveParts } from "@hooksec/core/receiver";
import { closeWhenSent, nodeRequestParts } from "@hooksec/core/node";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fastifyPlugin from "fastify-plugin";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified webhook, on the routes of the scope the `webhook` plugin was registered in. */
    webhook?: VerifiedWebhook;
  }
}

/** Receiver options (`scheme`, `tolerance`, `replay`, `identity`, ...), or `{ receiver }`: one built once and shared. */
export type FastifyWebhookOptions = ReceiverOptions | { readonly receiver: Receiver };

const PARSER_RAN_FIRST =
  'a content-type parser read the request before the webhook plugin, so the signed bytes are gone. The plugin gives the routes of the scope it is registered in their raw bodies: register it in the webhook routes\' own scope (app.register(async (scope) => { await scope.register(webhook, options); scope.post("/webhooks", handler) })) and add no content-type parser to that scope after it';

/**
 * After the client hung up before the handler answered: how long the message
 * stays leased to the handler that may still run, before it is released.
 */
const ABANDONED_GRACE_MS = 30_000;

/** One admitted delivery on its request: finished once, when the handler answered. */
interface PendingDelivery {
  readonly admission: AdmittedDelivery;
  failure: HandlerFailure | undefined;
  finished: Promise<void> | undefined;
}

const deliveries = new WeakMap<FastifyRequest, PendingDelivery>();

async function receiveWebhooks(scope: FastifyInstance, options: FastifyWebhookOptions): Promise<void> {
  const receiver = "receiver" in options ? options.receiver : createReceiver(options);
  if (!scope.hasRequestDecorator("webhook")) scope.decorateRequest("webhook", undefined);

  // Raw bodies in this scope only: the stream goes on unread, and the core reads it
  // within `maxBodyBytes` (Fastify's `bodyLimit` applies to parsers that buffer).
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

  // Before validation and your preHandler hooks: they see `request.webhook`.
  scope.addHook("preValidation", async function verifyWebhook(request, reply) {
    const input = requestParts(request);
    const admission = await receiver.admit(input);
    if (!admission.admitted) {
      respond(request, reply, admission.response, !(input.body instanceof Uint8Array));
      return reply;
    }
    request.webhook = admission.webhook;
    deliveries.set(request, { admission, failure: undefined, finished: undefined });
    reply.raw.once("close", () => abandoned(request, reply));
    return undefined;
  });

  // The handler (or an error handler) answered: complete the message, or release it
  // on a 5xx or an error, before the answer goes out.
  scope.addHook("onSend", async function settleWebhook(request, reply, payload) {
    await settle(request, reply.statusCode);
    return payload;
  });

  // Refusals thrown as WebhookError (a setup mistake before the handler, `webhook.json()`
  // on a body that is not JSON inside it) answer their small JSON body; anything else
  // goes on to the parent's error handler (yours, or Fastify's).
  scope.setErrorHandler(function webhookErrorHandler(error, request, reply) {
    if (!isWebhookError(error)) throw error;
    const pending = deliveries.get(request);
    if (pending !== undefined) pending.failure = { error };
    if (error.isSetupError) request.log.error({ err: error }, error.message);
    return reply.code(error.status).send(error.toJSON());
  });
}

/**
 * A Fastify plugin that receives webhooks on the routes of the scope it is
 * registered in: gives them their raw bodies (the rest of the app keeps its
 * JSON parsing), verifies each delivery, and runs the route handler (the result
 * on `request.webhook`) for a message not processed yet, answering everything
 * else itself.
 *
 * - A refusal answers its status with `{ error: { code, message } }` (`Retry-After` on 409 and 429).
 * - A message already processed is acknowledged with 200; one being processed by
 *   another delivery gets 409 `message_in_progress`. Your handler does not run.
 * - When your handler throws (Fastify answers 500) or answers 5xx, the message is
 *   released so the sender's retry is processed; otherwise it is completed before
 *   the answer goes out.
 * - Setup mistakes (a content-type parser that ran first) are logged with a
 *   message that says how to fix them, and answered with a generic 500.
 *
 * @example
 * app.register(async (scope) => {
 *   await scope.register(webhook, { scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
 *   scope.post("/webhooks", async (request, reply) => {
 *     const event = request.webhook?.json();
 *     return reply.code(204).send();
 *   });
 * });
 */
export const webhook: FastifyPluginAsync<FastifyWebhookOptions> = fastifyPlugin(receiveWebhooks, {
  fastify: "5.x",
  name: "@hooksec/fastify",
});

function requestParts(request: FastifyRequest): ReceiveParts {
  const url = `${request.protocol}://${request.host}${request.url}`;
  const { body } = request;
  // A parser that buffered (`parseAs: "buffer"`) left the bytes exactly as sent.
  if (body instanceof Uint8Array) return { ...nodeRequestParts(request.raw, url), body };
  if (body !== undefined && body !== null && !isStream(body))
    return nodeRequestParts(request.raw, url, PARSER_RAN_FIRST);
  // Our parser's stream (after any preParsing hook), or the request itself when no parser ran.
  const parts = nodeRequestParts(request.raw, url);
  return isStream(body) ? { ...parts, body } : parts;
}

function isStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof (body as Partial<AsyncIterable<Uint8Array>>)[Symbol.asyncIterator] === "function";
}

function settle(request: FastifyRequest, status: number | undefined): Promise<void> {
  const pending = deliveries.get(request);
  if (pending === undefined) return Promise.resolve();
  if (pending.finished === undefined) {
    const failed = status === undefined || status >= 500;
    pending.finished = pending.admission.finish(pending.failure ?? (failed ? { status } : undefined));
  }
  return pending.finished;
}

// The connection closed: after an answer that skipped onSend (`reply.hijack()`), settle
// on its status; before any answer, the handler may still run and succeed, so keep the
// message leased to it for a while before releasing it.
function abandoned(request: FastifyRequest, reply: FastifyReply): void {
  if (reply.raw.writableFinished) {
    void settle(request, reply.statusCode);
    return;
  }
  const timer = setTimeout(() => void settle(request, undefined), ABANDONED_GRACE_MS);
  timer.unref();
}

function respond(request: FastifyRequest, reply: FastifyReply, response: WebhookResponse, streamed: boolean): void {
  reply.code(response.status).headers(response.headers).send(response.body);
  // Only a stream can be left unread; bytes from a buffering parser were read whole already.
  if (response.closeConnection && streamed) closeWhenSent(request.raw, reply.raw);
}
