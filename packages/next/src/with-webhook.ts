import {
  type VerifiedWebhook,
  type Verifier,
  type VerifierOptions,
  type WebhookError,
  createVerifier,
  isWebhookError,
} from "@hooksec/core";

/**
 * Verifier options, a verifier built once, or a function returning either:
 * the function runs on the first request, so a secret that only exists at run
 * time (`process.env.WEBHOOK_SECRET`) is not needed when `next build` loads the route.
 */
export type NextWebhookOptions = VerifierOptions | Verifier | (() => VerifierOptions | Verifier);

/** Your code for a verified, first-seen webhook; the `Response` it returns is sent. */
export type WebhookHandler = (webhook: VerifiedWebhook, request: Request) => Response | Promise<Response>;

/**
 * Wraps a handler into an App Router route handler that verifies the webhook
 * on its raw bytes first. Works in the Node.js and the edge runtime.
 *
 * - A refusal answers its status with `{ error: { code, message } }` (429 with `Retry-After`).
 * - A duplicate of a processed message is acknowledged with 200; the handler does not run.
 * - When the handler throws or answers 5xx, the replay claim is released so the sender's
 *   retry is processed.
 *
 * @example
 * // app/api/webhooks/route.ts
 * export const POST = withWebhook(
 *   () => ({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET ?? "" }) }),
 *   async (webhook) => {
 *     await handle(webhook.json());
 *     return new Response(null, { status: 204 });
 *   },
 * );
 */
export function withWebhook(options: NextWebhookOptions, handler: WebhookHandler): (request: Request) => Promise<Response> {
  let verifier: Verifier | undefined = typeof options === "function" ? undefined : toVerifier(options);

  return async function POST(request: Request): Promise<Response> {
    let webhook: VerifiedWebhook;
    try {
      verifier ??= toVerifier((options as () => VerifierOptions | Verifier)());
      webhook = await verifier.verify(request);
    } catch (error) {
      if (isWebhookError(error)) return errorResponse(error);
      throw error;
    }
    if (webhook.duplicate) return Response.json({ duplicate: true, id: webhook.id }, { status: 200 });

    let response: Response;
    try {
      response = await handler(webhook, request);
    } catch (error) {
      await releaseQuietly(webhook);
      if (isWebhookError(error)) return errorResponse(error);
      throw error;
    }
    if (response.status >= 500) await releaseQuietly(webhook);
    return response;
  };
}

/**
 * The response for a refusal: status, the small JSON body, `Retry-After` when rate limited.
 *
 * @example
 * try { await verifier.verify(request) } catch (err) { if (isWebhookError(err)) return errorResponse(err); throw err }
 */
export function errorResponse(error: WebhookError): Response {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(error.retryAfterSeconds));
  return Response.json(error.toJSON(), { status: error.status, headers });
}

function toVerifier(options: VerifierOptions | Verifier): Verifier {
  return typeof (options as Verifier).verify === "function" ? (options as Verifier) : createVerifier(options as VerifierOptions);
}

async function releaseQuietly(webhook: VerifiedWebhook): Promise<void> {
  // A failed release must not hide the handler's own outcome; the claim then expires with its TTL.
  await webhook.release().catch(() => undefined);
}
