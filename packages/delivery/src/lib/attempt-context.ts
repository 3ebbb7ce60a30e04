import { AsyncLocalStorage } from "node:async_hooks";
import type { TransportFactory, TransportResponse, WebhookScheme } from "@hooksec/core";

/** What one delivery attempt carries through the shared sender: its scheme, and the response it got. */
export interface AttemptContext {
  readonly scheme: WebhookScheme;
  readonly url: string;
  response?: TransportResponse;
}

/**
 * One sender serves every endpoint of a worker (one connection pool); the endpoint's
 * scheme and the raw response (for `Retry-After`, a log excerpt and the 409 body)
 * travel beside the call in async context, since the sender's result does not carry them.
 */
export const attemptContext = new AsyncLocalStorage<AttemptContext>();

/** The scheme the sender is built with: signs with the current attempt's endpoint scheme. */
export const contextualScheme: WebhookScheme = {
  name: "hooksec-delivery",
  timestamped: true,
  verify: () => Promise.reject(new Error("the delivery scheme only signs")),
  sign: (message) => current().scheme.sign(message),
  encode: (message) => current().scheme.encode(message),
};

function current(): AttemptContext {
  const context = attemptContext.getStore();
  if (context === undefined) throw new Error("a delivery attempt ran outside its context");
  return context;
}

/** Wraps a transport so the response to the endpoint (not to an OAuth2 token endpoint) is kept for the attempt. */
export function capturingTransport(factory: TransportFactory): TransportFactory {
  return (context) => {
    const inner = factory(context);
    return {
      name: inner.name,
      close: () => inner.close(),
      async send(request) {
        const response = await inner.send(request);
        const attempt = attemptContext.getStore();
        if (attempt !== undefined && request.url.href === attempt.url) attempt.response = response;
        return response;
      },
    };
  };
}
