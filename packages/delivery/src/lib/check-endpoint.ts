import { createSender, type Endpoint, type SsrfOptions } from "@hooksec/core";

class NotSent extends Error {}

/**
 * The core sender's own refusals, without sending: a sender whose transport never
 * connects runs its endpoint checks (URL, `https:` unless `allowHttp`, no credentials
 * in the URL, an IP literal refused by SSRF protection, the outbound auth's shape)
 * and stops at the first byte it would send. Dispatch uses it so an endpoint is
 * refused with the same `WebhookError` code the worker would meet, before anything
 * is enqueued. (The core has no public `checkEndpoint`; this keeps one set of checks.)
 */
export function createEndpointCheck(ssrf: SsrfOptions | undefined): (endpoint: Endpoint) => Promise<void> {
  const sender = createSender({
    scheme: {
      name: "check",
      timestamped: true,
      verify: () => Promise.reject(new Error("unused")),
      sign: async () => ({}),
      encode: async (message) => ({ headers: {}, body: message.body }),
    },
    ...(ssrf === undefined ? {} : { ssrf }),
    retry: { attempts: 1 },
    transport: () => ({
      name: "check",
      send: () => Promise.reject(new NotSent()),
      close: async () => {},
    }),
  });
  return async (endpoint) => {
    // Resolves (as a failed delivery) once the checks pass; throws their WebhookError otherwise.
    await sender.send(endpoint, "");
  };
}
