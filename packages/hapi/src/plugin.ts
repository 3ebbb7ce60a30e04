import { createRequire } from "node:module";
import type { Readable } from "node:stream";
import { type Boom, isBoom } from "@hapi/boom";
import type {
  Lifecycle,
  NamedPlugin,
  Request,
  ResponseObject,
  ResponseToolkit,
  Server,
  ServerAuthSchemeObject,
} from "@hapi/hapi";
import {
  type Receiver,
  type ReceiverOptions,
  type VerifiedWebhook,
  WebhookError,
  createReceiver,
  isWebhookError,
} from "@hooksec/core";
import { closeWhenSent, connectionInfo } from "@hooksec/core/node";
import {
  type AdmittedDelivery,
  type HandlerFailure,
  type ReceiveParts,
  type RefusedDelivery,
  bodyConsumed,
  refusalResponse,
} from "@hooksec/core/receiver";
import { toBoom } from "./to-boom.js";

/** Strategy options: receiver options (`scheme`, `tolerance`, `replay`, `identity`, ...) or a receiver built once and shared. */
export type HapiWebhookOptions = ReceiverOptions | Receiver;

/** Options of the hapi {@link plugin} itself (the receiver options go to each strategy). */
export interface WebhookPluginOptions {
  /** Name of the auth scheme the plugin registers. Default `"webhook"`. */
  readonly schemeName?: string;
}

/** `request.auth.credentials` of a verified webhook: the tenant its client certificate proved, if any. */
export interface WebhookCredentials {
  tenant: string | undefined;
}

declare module "@hapi/hapi" {
  // Declaration merging: `request.auth.credentials.tenant` is typed on every route.
  interface AuthCredentials {
    /** Set by the `webhook` scheme: the tenant the client certificate proved (mTLS identity), if any. */
    tenant?: string | undefined;
  }
}

/**
 * The route payload settings the scheme needs: the raw request stream, unparsed,
 * so the receiver reads it once within its own limit (`maxBodyBytes`, with a 413
 * and an event past it, and the connection closed). Hapi's `maxBytes` only
 * compares a declared `content-length` for a stream: it is left to the receiver.
 */
export const rawPayload = { parse: false, output: "stream", maxBytes: Number.MAX_SAFE_INTEGER } as const;

const PLUGIN_NAME = "@hooksec/hapi";
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const PARSED_FIRST =
  "Hapi read the payload before the webhook scheme (route payload settings other than { parse: false, output: 'stream' }), so the signed bytes are gone: set the webhook route's `payload: rawPayload` (from @hooksec/hapi)";

/** What the plugin keeps in `request.plugins` for a delivery the scheme admitted. */
interface WebhookRequestState {
  readonly delivery: AdmittedDelivery;
}

/**
 * Hapi plugin that registers the `webhook` auth scheme with payload
 * authentication: each delivery is received by the core's lifecycle
 * (`createReceiver`) from the raw request stream before the handler runs. The
 * result is `request.auth.artifacts` (a `VerifiedWebhook`, also
 * `getWebhook(request)`), the tenant `request.auth.credentials.tenant`.
 *
 * - A refusal is a Boom with the webhook status, `data.code`, `Retry-After` on
 *   409 and 429, and `{ error: { code, message } }`.
 * - A message already processed is acknowledged with 200; one being processed by
 *   another delivery gets 409 `message_in_progress`. The handler does not run.
 * - When the handler fails (throws, or answers 5xx) the message is released so the
 *   sender's retry is processed; a `WebhookError` it throws (`webhook.json()` on a
 *   body that is not JSON) answers with its own status and code.
 * - Setup mistakes (a route that parses the payload) reach Hapi's error log with a
 *   message that says how to fix them; the wire gets Hapi's generic 500.
 *
 * @example
 * await server.register(plugin);
 * server.auth.strategy("webhooks", "webhook", { scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
 * server.route({
 *   method: "POST",
 *   path: "/webhooks",
 *   options: { auth: "webhooks", payload: rawPayload },
 *   handler: (request, h) => {
 *     const event = getWebhook(request).json();
 *     return h.response().code(204);
 *   },
 * });
 */
export const plugin: NamedPlugin<WebhookPluginOptions | undefined> = {
  name: PLUGIN_NAME,
  version,
  // Registering it again (from several plugins of one app) is a no-op, not a scheme clash.
  once: true,
  register(server: Server, pluginOptions: WebhookPluginOptions | undefined) {
    server.auth.scheme(pluginOptions?.schemeName ?? "webhook", webhookScheme);
    server.ext("onPreResponse", finishWebhook);
    // A sender that hangs up while the handler runs skips onPreResponse: the
    // delivery is finished when Hapi is done with the request (a no-op otherwise).
    server.events.on("response", (request) => void finish(request));
  },
};

function webhookScheme(_server: Server, strategyOptions?: HapiWebhookOptions): ServerAuthSchemeObject {
  if (strategyOptions === undefined) {
    throw new WebhookError(
      "invalid_options",
      'the webhook strategy needs receiver options: server.auth.strategy("webhooks", "webhook", { scheme: standardWebhooks({ secret }) })',
    );
  }
  const receiver = isReceiver(strategyOptions) ? strategyOptions : createReceiver(strategyOptions);

  return {
    options: { payload: true },

    // Nothing is known before the payload: payload authentication decides.
    authenticate(_request, h) {
      const credentials: WebhookCredentials = { tenant: undefined };
      return h.authenticated({ credentials, artifacts: {} });
    },

    async payload(request, h) {
      // Setup errors are thrown on: Hapi answers 500 and logs them.
      const admission = await receiver.admit(requestParts(request));
      if (!admission.admitted) return answer(request, h, admission);
      const { webhook } = admission;
      const state: WebhookRequestState = { delivery: admission };
      (request.plugins as Record<string, WebhookRequestState>)[PLUGIN_NAME] = state;
      request.auth.credentials.tenant = webhook.tenant;
      (request.auth as { artifacts: unknown }).artifacts = webhook;
      return h.continue;
    },
  };
}

/** The request as the receive lifecycle wants it: the unread stream, or the fix when Hapi read it. */
function requestParts(request: Request): ReceiveParts {
  const req = request.raw.req;
  const settings = request.route.settings.payload;
  const payload = request.payload;
  const raw = settings?.parse === false && settings.output === "stream" && isStream(payload);
  return {
    method: req.method ?? "POST",
    url: request.url.href,
    headers: req.headers,
    body: raw ? (payload as Readable) : bodyConsumed(PARSED_FIRST),
    connection: connectionInfo(req),
  };
}

/** A refusal as a Boom; a duplicate's 200 as a takeover response. */
function answer(request: Request, h: ResponseToolkit, refused: RefusedDelivery): Lifecycle.ReturnValue {
  const { response, error } = refused;
  if (response.closeConnection) closeWhenSent(request.raw.req, request.raw.res);
  if (error !== undefined) throw toBoom(response, error);
  const reply = h.response(response.body).code(response.status);
  for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
  return reply.takeover();
}

/** Before the answer goes out: completes or releases the delivery; a `WebhookError` from the handler answers with its code. */
async function finishWebhook(request: Request, h: ResponseToolkit): Promise<Lifecycle.ReturnValue> {
  const handlerError = await finish(request);
  if (handlerError !== undefined) return toBoom(refusalResponse(handlerError), handlerError);
  return h.continue;
}

/**
 * Finishes an admitted delivery by what the request came to: a Boom (the handler
 * threw) or a 5xx releases it, anything else completes it. Returns a
 * `WebhookError` the handler threw (not a setup error), to be answered.
 */
async function finish(request: Request): Promise<WebhookError | undefined> {
  const delivery = stateOf(request)?.delivery;
  if (delivery === undefined) return undefined;
  const response = request.response as ResponseObject | Boom | null;
  await delivery.finish(failureOf(response));
  return isWebhookError(response) && !response.isSetupError ? response : undefined;
}

function failureOf(response: ResponseObject | Boom | null): HandlerFailure | undefined {
  if (response === null) return { status: 500 };
  if (isBoom(response)) return { error: response, status: response.output.statusCode };
  return response.statusCode >= 500 ? { status: response.statusCode } : undefined;
}

function stateOf(request: Request): WebhookRequestState | undefined {
  return (request.plugins as Record<string, WebhookRequestState | undefined>)[PLUGIN_NAME];
}

/**
 * The verified webhook of a request authenticated by the `webhook` scheme.
 * Throws `invalid_options` when the route does not use it.
 *
 * @example
 * handler: (request, h) => {
 *   const event = getWebhook(request).json<{ type: string }>();
 *   return h.response().code(204);
 * }
 */
export function getWebhook(request: Request): VerifiedWebhook {
  const delivery = stateOf(request)?.delivery;
  if (delivery === undefined) {
    throw new WebhookError(
      "invalid_options",
      'this route is not authenticated by the webhook scheme: set its options.auth to the "webhook" strategy',
    );
  }
  return delivery.webhook;
}

function isStream(payload: unknown): boolean {
  return (
    typeof payload === "object" &&
    payload !== null &&
    typeof (payload as Readable).pipe === "function" &&
    Symbol.asyncIterator in payload
  );
}

function isReceiver(options: HapiWebhookOptions): options is Receiver {
  return typeof (options as Receiver).admit === "function";
}
