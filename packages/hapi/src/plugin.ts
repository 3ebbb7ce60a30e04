import { type Boom, isBoom } from "@hapi/boom";
import type { Plugin, Request, ResponseToolkit, Server, ServerAuthSchemeObject } from "@hapi/hapi";
import {
  type VerifiedWebhook,
  type Verifier,
  type VerifierOptions,
  WebhookError,
  createVerifier,
  isWebhookError,
} from "@hooksec/core";
import { connectionInfo } from "@hooksec/core/node";
import { setWebhookPayload, toBoom } from "./to-boom.js";

/** Strategy options: verifier options (`scheme`, `tolerance`, `replay`, `identity`, ...) or a verifier built once. */
export type HapiWebhookOptions = VerifierOptions | Verifier;

export interface WebhookPluginOptions {
  /** Name of the auth scheme the plugin registers. Default `"webhook"`. */
  readonly schemeName?: string;
}

/** `request.auth.credentials` of a verified webhook: the tenant its client certificate proved, if any. */
export interface WebhookCredentials {
  tenant: string | undefined;
}

/**
 * The route payload settings the scheme needs: the raw bytes, unparsed. Spread
 * them into a route's `options.payload` (and set `maxBytes` like the verifier's limit).
 */
export const rawPayload = { parse: false, output: "data" } as const;

const PLUGIN_NAME = "@hooksec/hapi";

interface WebhookRequestState {
  readonly verifier: Verifier;
  readonly startedAt: number;
  readonly credentials: WebhookCredentials;
  webhook?: VerifiedWebhook;
}

/**
 * Hapi plugin that registers the `webhook` auth scheme with payload
 * authentication: the webhook is verified on its raw bytes after Hapi read the
 * payload and before the handler runs. The result is `request.auth.artifacts`
 * (a `VerifiedWebhook`, also `getWebhook(request)`), the tenant is
 * `request.auth.credentials.tenant`.
 *
 * A refusal is a Boom with the webhook status and `{ error: { code, message } }`;
 * a duplicate is acknowledged with 200 without running the handler; a handler
 * that fails (5xx) gives the replay claim back so the sender's retry is processed.
 *
 * @example
 * await server.register(plugin);
 * server.auth.strategy("webhooks", "webhook", { scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
 * server.route({
 *   method: "POST",
 *   path: "/webhooks",
 *   options: { auth: "webhooks", payload: { ...rawPayload, maxBytes: 1_048_576 } },
 *   handler: (request, h) => {
 *     const event = getWebhook(request).json();
 *     return h.response().code(204);
 *   },
 * });
 */
export const plugin: Plugin<WebhookPluginOptions | undefined> = {
  name: PLUGIN_NAME,
  version: "0.1.0",
  // Registering it again (from several plugins of one app) is a no-op, not a scheme clash.
  once: true,
  register(server: Server, pluginOptions: WebhookPluginOptions | undefined) {
    server.auth.scheme(pluginOptions?.schemeName ?? "webhook", webhookScheme);
    server.ext("onPreResponse", finishWebhook);
  },
};

function webhookScheme(_server: Server, strategyOptions?: HapiWebhookOptions): ServerAuthSchemeObject {
  if (strategyOptions === undefined) throw new WebhookError("invalid_options", "the webhook strategy needs verifier options");
  const verifier = isVerifier(strategyOptions) ? strategyOptions : createVerifier(strategyOptions);

  return {
    options: { payload: true },

    // Nothing is known before the payload is read: the request is let through
    // to payload authentication, which decides.
    authenticate(request, h) {
      const state: WebhookRequestState = { verifier, startedAt: performance.now(), credentials: { tenant: undefined } };
      request.plugins[PLUGIN_NAME as keyof typeof request.plugins] = state as never;
      const declared = request.headers["content-length"];
      if (declared !== undefined && Number(declared) > verifier.maxBodyBytes) {
        throw refuseEarly(state, new WebhookError("body_too_large", `content-length ${declared} exceeds ${verifier.maxBodyBytes} bytes`));
      }
      return h.authenticated({ credentials: state.credentials, artifacts: {} });
    },

    async payload(request, h) {
      const state = stateOf(request);
      if (state === undefined) throw new WebhookError("invalid_options", "payload authentication ran without authenticate");
      const body = request.payload;
      if (!(body instanceof Uint8Array)) {
        throw refuseEarly(
          state,
          new WebhookError(
            "body_already_consumed",
            "the route parsed the payload: webhook routes need payload { parse: false, output: 'data' }",
          ),
        );
      }
      let verified: VerifiedWebhook;
      try {
        verified = await verifier.verifyParts({
          method: request.method.toUpperCase(),
          url: request.url.href,
          headers: request.headers,
          body,
          connection: connectionInfo(request.raw.req),
        });
      } catch (error) {
        if (isWebhookError(error)) throw toBoom(error);
        throw error;
      }
      state.webhook = verified;
      state.credentials.tenant = verified.tenant;
      (request.auth as { artifacts: unknown }).artifacts = verified;
      if (verified.duplicate) return h.response({ duplicate: true, id: verified.id }).code(200).takeover();
      return h.continue;
    },
  };
}

/** After the handler: release the claim of a failed delivery; give Hapi's own 413 the webhook body. */
async function finishWebhook(request: Request, h: ResponseToolkit) {
  const state = stateOf(request);
  if (state === undefined) return h.continue;
  const response = request.response;
  const status = isBoom(response) ? response.output.statusCode : response.statusCode;
  if (state.webhook !== undefined) {
    if (status >= 500) await state.webhook.release().catch(() => undefined);
  } else if (isBoom(response) && status === 413 && !isWebhookBoom(response)) {
    // Hapi refused the payload over the route's maxBytes before the scheme saw it.
    const error = new WebhookError("body_too_large", "payload over the route's maxBytes", { cause: response });
    state.verifier.reportRefusal(error, state.startedAt);
    setWebhookPayload(response, error);
  }
  return h.continue;
}

function refuseEarly(state: WebhookRequestState, error: WebhookError): Boom {
  state.verifier.reportRefusal(error, state.startedAt);
  return toBoom(error);
}

function isWebhookBoom(boom: Boom): boolean {
  return typeof (boom.data as { code?: unknown } | null)?.code === "string";
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
  const webhook = stateOf(request)?.webhook;
  if (webhook === undefined) throw new WebhookError("invalid_options", "this route is not authenticated by the webhook scheme");
  return webhook;
}

function isVerifier(options: HapiWebhookOptions): options is Verifier {
  return typeof (options as Verifier).verifyParts === "function";
}
