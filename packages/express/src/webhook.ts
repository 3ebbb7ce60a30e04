import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Receiver,
  type ReceiverOptions,
  type VerifiedWebhook,
  type WebhookResponse,
  createReceiver,
} from "@hooksec/core";
import { closeWhenSent, nodeRequestParts } from "@hooksec/core/node";

declare global {
  namespace Express {
    interface Request {
      /** The verified webhook, set by `webhook()` for the route handlers after it. */
      webhook?: VerifiedWebhook;
    }
  }
}

/** Receiver options (`scheme`, `tolerance`, `replay`, `identity`, ...) or a receiver built once and shared. */
export type ExpressWebhookOptions = ReceiverOptions | Receiver;

/** The part of an Express request the middleware uses; every Express 4 and 5 request fits. */
export interface WebhookRequest extends IncomingMessage {
  /** What a body parser left: a `Buffer` from `express.raw()` is used as the raw body, anything else is refused. */
  body?: unknown;
  readonly originalUrl: string;
  /** `https` behind a proxy when `trust proxy` is set. */
  readonly protocol: string;
  /** Without the port; honours `X-Forwarded-Host` when `trust proxy` is set. */
  readonly hostname?: string | undefined;
  webhook?: VerifiedWebhook;
}

/** The Express middleware {@link webhook} returns: mount it on the webhook route, before any body parser. */
export type WebhookRequestHandler = (req: WebhookRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

/** How the route handlers after the middleware answered. */
interface HandlerAnswer {
  readonly status: number | undefined;
  readonly answered: boolean;
}

const PARSER_RAN_FIRST =
  'a body parser (express.json(), express.text(), express.urlencoded() or body-parser) read the request before webhook(), so the signed bytes are gone. Declare the webhook route before app.use(express.json()): app.post("/webhooks", webhook(options), handler); or give the route the raw bytes: app.post("/webhooks", express.raw({ type: "*/*" }), webhook(options), handler)';

/**
 * After the client hung up before the handler answered: how long the message
 * stays leased to the handler that may still run, before it is released.
 */
const ABANDONED_GRACE_MS = 30_000;

/**
 * Express middleware (Express 4 and 5) that receives a webhook: verifies it on
 * its raw bytes, hands on to the route handlers after it (the result on
 * `req.webhook`) for a message not processed yet, and answers everything else
 * itself.
 *
 * - A refusal answers its status with `{ error: { code, message } }` (`Retry-After` on 409 and 429).
 * - A message already processed is acknowledged with 200; one being processed by
 *   another delivery gets 409 `message_in_progress`. Your handler does not run.
 * - Your handler's answer decides: a 5xx, including the 500 Express's error
 *   handler sends for an error your handler threw or passed to `next(err)`,
 *   releases the message so the sender's retry is processed; anything else
 *   completes it.
 * - Setup mistakes (a body parser that ran first) go to `next(err)`, so Express's
 *   error handler logs them, with a message that says how to fix them.
 *
 * Declare the route before any app-wide body parser, or put
 * `express.raw({ type: "*\/*" })` in front of it: the middleware reads the raw
 * request stream itself, or takes the `Buffer` `express.raw()` left.
 *
 * @example
 * app.post("/webhooks", webhook({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) }), async (req, res) => {
 *   const event = req.webhook?.json();
 *   res.sendStatus(204);
 * });
 */
export function webhook(options: ExpressWebhookOptions): WebhookRequestHandler {
  const receiver = isReceiver(options) ? options : createReceiver(options);

  return function receiveWebhook(req, res, next) {
    const bytes = rawBytesOf(req.body);
    const parts = nodeRequestParts(
      req,
      urlOf(req),
      bytes === undefined && bodyWasRead(req) ? PARSER_RAN_FIRST : undefined,
    );
    receiver
      .receive(
        bytes === undefined ? parts : { ...parts, body: bytes },
        (verified) => {
          req.webhook = verified;
          return handOn(res, next);
        },
        { failed: (answer) => !answer.answered || (answer.status ?? 0) >= 500 },
      )
      .then((outcome) => {
        if (!outcome.handled) respond(req, res, outcome.response, bytes === undefined);
      })
      // Only setup mistakes get here (before the handler ran): Express's error handler logs them.
      .catch(next);
  };
}

/**
 * Runs the route handlers after the middleware and resolves once they answered
 * (`res.end()`, also from Express's error handler, or after the client hung up),
 * with the status they answered. Express does not await `next()`, so the end of
 * the response is the only sign a handler finished.
 */
function handOn(res: ServerResponse, next: () => void): Promise<HandlerAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (answer: HandlerAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const end = res.end;
    // Not 'finish': after the client hung up it never comes, even when the handler answers.
    res.end = function endResponse(this: ServerResponse, ...args: unknown[]) {
      settle({ status: res.statusCode, answered: true });
      return (end as (...parameters: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse["end"];
    res.once("close", () => {
      if (settled || res.writableEnded) return;
      // The handler may still run and succeed: keep the message leased to it for a while.
      timer = setTimeout(() => settle({ status: undefined, answered: false }), ABANDONED_GRACE_MS);
      timer.unref();
    });
    next();
  });
}

/** The bytes `express.raw()` (body-parser's raw parser) left in `req.body`: exactly what was sent. */
function rawBytesOf(body: unknown): Uint8Array | undefined {
  return body instanceof Uint8Array ? body : undefined;
}

// body-parser marks the request it read (`_body`); any other reader leaves the stream read.
// An empty `req.body` object alone (body-parser 1 sets one for types it skipped) is no sign.
function bodyWasRead(req: WebhookRequest): boolean {
  return (req as { _body?: unknown })._body === true || req.readableDidRead || req.readableEnded;
}

/** The absolute URL as the sender addressed it (some schemes sign it). */
function urlOf(req: WebhookRequest): string {
  return `${req.protocol}://${hostOf(req)}${req.originalUrl}`;
}

// `req.hostname` follows `trust proxy` but drops the port; take the header it came from.
function hostOf(req: WebhookRequest): string {
  const forwarded = headerValue(req.headers["x-forwarded-host"])?.split(",")[0]?.trim();
  for (const candidate of [forwarded, req.headers.host]) {
    if (candidate !== undefined && withoutPort(candidate) === req.hostname) return candidate;
  }
  return req.hostname ?? req.headers.host ?? "localhost";
}

function withoutPort(host: string): string {
  const start = host.startsWith("[") ? host.indexOf("]") + 1 : 0;
  const colon = host.indexOf(":", start);
  return colon === -1 ? host : host.slice(0, colon);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function respond(req: WebhookRequest, res: ServerResponse, response: WebhookResponse, streamed: boolean): void {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(response.body));
  // Only a stream can be left unread; bytes from express.raw() were read whole already.
  if (response.closeConnection && streamed) closeWhenSent(req, res);
}

function isReceiver(options: ExpressWebhookOptions): options is Receiver {
  return typeof (options as Receiver).receive === "function";
}
