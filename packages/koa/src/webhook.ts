import type { IncomingMessage } from "node:http";
import { connectionInfo } from "@hooksec/core/node";
import {
  type VerifiedWebhook,
  type Verifier,
  type VerifierOptions,
  WebhookError,
  createVerifier,
  isWebhookError,
} from "@hooksec/core";
import { readRawBody } from "./read-raw-body.js";

/** Verifier options (`scheme`, `tolerance`, `replay`, `identity`, ...) or a verifier built once and shared. */
export type KoaWebhookOptions = VerifierOptions | Verifier;

/** What the middleware leaves for the next ones: `new Koa<WebhookState>()` types `ctx.state.webhook`. */
export interface WebhookState {
  webhook: VerifiedWebhook;
}

/** The part of a Koa context the middleware uses; every Koa 2 and 3 context fits. */
export interface WebhookContext {
  readonly req: IncomingMessage;
  readonly request: { readonly body?: unknown; readonly rawBody?: unknown };
  readonly method: string;
  readonly href: string;
  state: unknown;
  status: number;
  body: unknown;
  set(field: string, value: string): void;
}

export type WebhookMiddleware = (ctx: WebhookContext, next: () => Promise<unknown>) => Promise<void>;

/**
 * Koa middleware that verifies a webhook on its raw bytes before the next
 * middleware runs, and puts the result on `ctx.state.webhook`.
 *
 * - A refusal answers its status with `{ error: { code, message } }` (429 with `Retry-After`).
 * - A duplicate of a processed message is acknowledged with 200 and skips the handler.
 * - When the handler throws (or answers 5xx), the replay claim is released so the
 *   sender's retry is processed.
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
  const verifier = isVerifier(options) ? options : createVerifier(options);

  return async function verifyWebhook(ctx, next) {
    const startedAt = performance.now();
    let verified: VerifiedWebhook;
    try {
      verified = await verifier.verifyParts({
        method: ctx.method,
        url: ctx.href,
        headers: ctx.req.headers,
        body: await readBody(ctx, verifier, startedAt),
        connection: connectionInfo(ctx.req),
      });
    } catch (error) {
      if (!isWebhookError(error)) throw error;
      refuse(ctx, error);
      return;
    }

    if (verified.duplicate) {
      ctx.status = 200;
      ctx.body = { duplicate: true, id: verified.id };
      return;
    }

    (ctx.state as { webhook?: VerifiedWebhook }).webhook = verified;
    try {
      await next();
    } catch (error) {
      await releaseQuietly(verified);
      if (!isWebhookError(error)) throw error;
      refuse(ctx, error);
      return;
    }
    if (ctx.status >= 500) await releaseQuietly(verified);
  };
}

// Refusals decided here, before the verifier runs, still go to its `onEvent`.
async function readBody(ctx: WebhookContext, verifier: Verifier, startedAt: number): Promise<Uint8Array> {
  try {
    if (bodyWasConsumed(ctx)) {
      throw new WebhookError(
        "body_already_consumed",
        "the request body was read before the webhook middleware: mount webhook() before any body parser",
      );
    }
    return await readRawBody(ctx.req, verifier.maxBodyBytes);
  } catch (error) {
    if (isWebhookError(error)) verifier.reportRefusal(error, startedAt);
    throw error;
  }
}

// A parser that ran first leaves its traces: a parsed or raw body on the
// request, or a stream that was read. Re-serialising its result would never
// match the signature, so the only safe answer is a clear refusal.
function bodyWasConsumed(ctx: WebhookContext): boolean {
  const { req, request } = ctx;
  return request.body !== undefined || request.rawBody !== undefined || req.readableEnded || req.readableDidRead;
}

function refuse(ctx: WebhookContext, error: WebhookError): void {
  ctx.status = error.status;
  ctx.body = error.toJSON();
  if (error.retryAfterSeconds !== undefined) ctx.set("Retry-After", String(Math.ceil(error.retryAfterSeconds)));
}

async function releaseQuietly(verified: VerifiedWebhook): Promise<void> {
  // A failed release must not hide the handler's own error; the claim then
  // simply expires with its TTL.
  await verified.release().catch(() => undefined);
}

function isVerifier(options: KoaWebhookOptions): options is Verifier {
  return typeof (options as Verifier).verifyParts === "function";
}
