import { WebhookError } from "../../errors/webhook-error.js";
import { bareHostname, isIpLiteral } from "../ssrf/endpoint-url.js";
import type { Transport, TransportFactory, TransportResponse } from "../types.js";
import { createLimitedCollector } from "./read-limited.js";

/** Options of `createFetchTransport`, the transport for runtimes without undici (Workers, Deno, Bun, the edge). */
export interface FetchTransportOptions {
  /**
   * Resolves a host name to its addresses so they can be checked (a DNS-over-HTTPS
   * client, for example). Without it, names are sent as they are: only IP literals
   * and special-use names are refused. Either way the runtime resolves again when it
   * connects, so this transport cannot stop DNS rebinding; on Node.js use the default
   * (undici) transport, which connects to the address it checked.
   */
  readonly resolve?: (hostname: string) => Promise<readonly string[]>;
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
}

// Names that never lead to a public host: RFC 6761/6762, RFC 8375, ICANN's .internal.
const SPECIAL_USE_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain"];

function checkHostName(hostname: string): void {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || !name.includes(".") || SPECIAL_USE_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
    throw new WebhookError("ssrf_blocked", `${JSON.stringify(hostname)} is a local or special-use name`);
  }
}

/**
 * The portable transport: `fetch` with `redirect: "manual"`, for Deno, Bun,
 * Cloudflare Workers and the edge runtime. IP literals (in any form) are checked
 * against the SSRF rules; names are checked only when `resolve` is given. It
 * cannot present a client certificate (`Endpoint.tls` is refused with `invalid_options`)
 * and has no separate connect timeout (the total timeout still applies).
 *
 * @example
 * const sender = createSender({ scheme, transport: createFetchTransport() });
 */
export function createFetchTransport(options: FetchTransportOptions = {}): TransportFactory {
  return ({ guard }): Transport => ({
    name: "fetch",
    async send(request): Promise<TransportResponse> {
      if (request.tls !== undefined) {
        throw new WebhookError("invalid_options", "client certificates (Endpoint.tls) need the Node.js transport");
      }
      const hostname = request.url.hostname;
      if (isIpLiteral(hostname)) guard.check(bareHostname(hostname));
      else {
        checkHostName(hostname);
        if (options.resolve !== undefined) {
          const addresses = await options.resolve(hostname);
          if (addresses.length === 0) throw new Error(`${hostname} has no addresses`);
          for (const address of addresses) guard.check(address);
        }
      }
      const fetchImpl = options.fetch ?? fetch;
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body as BodyInit,
        redirect: "manual",
        signal: request.signal,
      });
      const collector = createLimitedCollector();
      if (response.body !== null) {
        const reader = response.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done || !collector.add(value)) break;
          }
        } finally {
          await reader.cancel().catch(() => undefined);
        }
      }
      // An opaque redirect (browsers) has status 0: reported as a redirect, never followed.
      return {
        status: response.type === "opaqueredirect" ? 0 : response.status,
        headers: response.headers,
        body: collector.bytes(),
      };
    },
    async close() {},
  });
}

/** The default transport of runtimes other than Node.js. */
export function createDefaultTransport(): TransportFactory {
  return createFetchTransport();
}
