import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Receiver,
  type ReceiverOptions,
  type VerifiedWebhook,
  type WebhookResponse,
  createReceiver,
} from "@hooksec/core";
import { closeWhenSent, nodeRequestParts } from "@hooksec/core/node";

/** Receiver options (`scheme`, `tolerance`, `replay`, `identity`, ...) or a receiver built once and shared. */
export type KoaWebhookOptions = ReceiverOptions | Receiver;

/** What the middleware leaves for the next ones: `new Koa<WebhookState>()` types `ctx.state.webhook`. */
export interface WebhookState {
  webhook: VerifiedWebhook;
}

/** The part of a Koa context the middleware uses; every Koa 2 and 3 context fits. */
export interface WebhookContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly request: { readonly body?: unknown; readonly rawBody?: unknown };
  readonly method: string;
  readonly href: string;
  state: unknown;
  status: number;
  body: unknown;
  /** Sets a response header (`Retry-After`, `Connection: close`) on refusals. */
  set(field: string, value: string): void;
}

/** The Koa middleware {@link webhook} returns: mount it on the webhook route, before any body parser. */
export type WebhookMiddleware = (ctx: WebhookContext, next: () => Promise<unknown>) => Promise<void>;

const PARSER_RAN_FIRST =
  "a body parser read the request before webhook(), so the signed bytes are gone. Mount webhook() before bodyParser(), or skip the parser on webhook routes (set ctx.disableBodyParser = true in a middleware before @koa/bodyparser)";

/**
 * Koa middleware that receives a webhook: verifies it on its raw bytes, runs the
 * next middleware (your handler, with the result on `ctx.state.webhook`) for a
 * message not processed yet, and answers everything else itself.
 *
 * - A refusal answers its status with `{ error: { code, message } }` (`Retry-After` on 409 and 429).
 * - A message already processed is acknowledged with 200; one being processed by
 *   another delivery gets 409 `message_in_progress`. Your handler does not run.
 * - When your handler throws (or answers 5xx), the message is released so the
 *   sender's retry is processed; the error goes on to Koa's error handling.
 * - Setup mistakes (a body parser that ran first) go to Koa's error handler and
 *   log, with a message that says how to fix them.
 *
 * Mount it before any body parser: it reads the request stream itself.
 *
 * @example
 * router.post("/webhooks", webhook({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) }), (ctx) => {
 *   const event = ctx.state.webhook.json();
 *   ctx.status = 204;
 * });
 */
export function webhook(options: KoaWebhookOptions): WebhookMiddleware {
  const receiver = isReceiver(options) ? options : createReceiver(options);

  return async function receiveWebhook(ctx, next) {
    const outcome = await receiver.receive(
      nodeRequestParts(ctx.req, ctx.href, bodyWasParsed(ctx) ? PARSER_RAN_FIRST : undefined),
      async (verified) => {
        (ctx.state as { webhook?: VerifiedWebhook }).webhook = verified;
        await next();
        // Koa's status after the handler: 5xx releases the message.
        return ctx;
      },
    );
    if (!outcome.handled) respond(ctx, outcome.response);
  };
}

// A parser that ran first leaves its traces on the context (the stream itself
// is checked by the core): re-serialising its result would never match the signature.
function bodyWasParsed(ctx: WebhookContext): boolean {
  return ctx.request.body !== undefined || ctx.request.rawBody !== undefined;
}

function respond(ctx: WebhookContext, response: WebhookResponse): void {
  ctx.status = response.status;
  for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value);
  ctx.body = response.body;
  if (response.closeConnection) closeWhenSent(ctx.req, ctx.res);
}

function isReceiver(options: KoaWebhookOptions): options is Receiver {
  return typeof (options as Receiver).receive === "function";
}
