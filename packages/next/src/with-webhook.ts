import {
  type Receiver,
  type ReceiverOptions,
  type VerifiedWebhook,
  WebhookError,
  type WebhookResponse,
  createReceiver,
} from "@hooksec/core";
import { type ReceiveInput, bodyConsumed, refusalResponse } from "@hooksec/core/receiver";

/**
 * The receiver options that need the connection (peer address, client certificate), which
 * Next.js never shows a route handler: {@link NextReceiverOptions} refuses them at compile time.
 */
export type ConnectionOption = "allowlist" | "trustedProxies" | "identity" | "rateLimit";

/** Keyed by the type, so the compiler refuses a list that misses or adds an option. */
const CONNECTION_OPTION_SET: { readonly [option in ConnectionOption]: true } = {
  allowlist: true,
  trustedProxies: true,
  identity: true,
  rateLimit: true,
};
const CONNECTION_OPTIONS = Object.keys(CONNECTION_OPTION_SET) as readonly ConnectionOption[];

/**
 * The receiver options a route handler can honour: everything but what needs the
 * connection (no peer address, no client certificate reach a route handler).
 * `allowlist`, `trustedProxies`, `identity` and `rateLimit` (per client IP, or per
 * tenant from a certificate) are compile errors here; enforce them in front of
 * Next.js (your proxy, load balancer or platform firewall).
 */
export type NextReceiverOptions = Omit<ReceiverOptions, ConnectionOption> & {
  readonly [option in ConnectionOption]?: never;
};

/**
 * Receiver options, a receiver built once and shared between routes, or a
 * function returning either: the function runs on the first request, so a secret
 * that only exists at run time (`process.env.WEBHOOK_SECRET`) is not needed when
 * `next build` loads the route.
 */
export type NextWebhookOptions = NextReceiverOptions | Receiver | (() => NextReceiverOptions | Receiver);

/** Your code for a verified, first-seen webhook; the `Response` it returns is sent (a 5xx releases the message). */
export type WebhookHandler = (webhook: VerifiedWebhook, request: Request) => Response | Promise<Response>;

const READ_FIRST =
  "the route read the request body (request.text(), .json(), .formData(), .arrayBuffer()) before withWebhook(), so the signed bytes are gone: export the function withWebhook() returns as POST, or hand it the Request unread, and read the body from the webhook (webhook.json(), webhook.text())";

/**
 * Wraps a handler into an App Router route handler that receives the webhook
 * with the core's lifecycle (`createReceiver(...).receive()`): verified on its raw
 * bytes, run once per message id, completed or released by what the handler
 * answers. Works in the Node.js and the edge runtime.
 *
 * - A refusal answers its status with `{ error: { code, message } }` (409 and 429 with `Retry-After`).
 * - A message already processed is acknowledged with 200; one being processed by
 *   another delivery gets 409 `message_in_progress`. The handler does not run.
 * - When the handler throws or answers 5xx the message is released, so the sender's
 *   retry is processed; what it threw goes on to Next.js (a `WebhookError`, such as
 *   `webhook.json()` on a body that is not JSON, answers with its own status and code).
 * - Setup mistakes (no secret, options a route handler cannot honour, a body read
 *   before `withWebhook()`) are thrown, so Next.js logs them with a message that
 *   says how to fix them, and answers 500.
 *
 * @example
 * // app/api/webhooks/route.ts
 * export const POST = withWebhook(
 *   () => ({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) }),
 *   async (webhook) => {
 *     await handle(webhook.json());
 *     return new Response(null, { status: 204 });
 *   },
 * );
 */
export function withWebhook(
  options: NextWebhookOptions,
  handler: WebhookHandler,
): (request: Request) => Promise<Response> {
  let receiver: Receiver | undefined = typeof options === "function" ? undefined : receiverFor(options);

  return async function POST(request: Request): Promise<Response> {
    receiver ??= receiverFor((options as () => NextReceiverOptions | Receiver)());
    const outcome = await receiver.receive(inputOf(request), (webhook) => handler(webhook, request));
    return outcome.handled ? outcome.result : toResponse(outcome.response);
  };
}

/**
 * The response for a refusal: its status, the small JSON body, `Retry-After` on
 * 409 and 429. For route handlers that call `verifier.verify()` themselves.
 *
 * @example
 * try { webhook = await verifier.verify(request) } catch (err) { if (isWebhookError(err) && !err.isSetupError) return errorResponse(err); throw err }
 */
export function errorResponse(error: WebhookError): Response {
  return toResponse(refusalResponse(error));
}

function toResponse(response: WebhookResponse): Response {
  // Nothing here can close the connection itself: the header asks the server to.
  const headers = response.closeConnection ? { ...response.headers, connection: "close" } : response.headers;
  return Response.json(response.body, { status: response.status, headers });
}

function inputOf(request: Request): ReceiveInput {
  if (!request.bodyUsed) return request;
  return { method: request.method, url: request.url, headers: request.headers, body: bodyConsumed(READ_FIRST) };
}

function receiverFor(options: NextReceiverOptions | Receiver): Receiver {
  if (isReceiver(options)) return options;
  const given = CONNECTION_OPTIONS.filter((name) => (options as Partial<ReceiverOptions>)[name] !== undefined);
  if (given.length > 0) {
    throw new WebhookError(
      "invalid_options",
      `withWebhook() cannot honour ${given.join(", ")}: Next.js shows a route handler no connection (no peer address, no client certificate). Enforce it in front of Next.js (proxy, load balancer, platform firewall), or receive with an adapter that sees the connection`,
    );
  }
  return createReceiver(options);
}

function isReceiver(options: NextReceiverOptions | Receiver): options is Receiver {
  return typeof (options as Receiver).receive === "function";
}
