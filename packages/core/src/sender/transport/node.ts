import { lookup } from "node:dns/promises";
import type { Agent, buildConnector } from "undici";
import type { AddressGuard } from "../ssrf/address-guard.js";
import { parseIpAddress } from "../ssrf/classify-address.js";
import type { ClientTls, Transport, TransportContext, TransportFactory, TransportResponse } from "../types.js";
import { createLimitedCollector } from "./read-limited.js";

/** Resolves a host name to every address it has (A and AAAA). */
export type HostResolver = (hostname: string) => Promise<readonly string[]>;

/** Opens the socket once the address is checked; undici's `buildConnector(...)` by default. */
export type ConnectorFactory = (tls: ClientTls | undefined, context: TransportContext) => buildConnector.connector;

/** Options of `createNodeTransport`, the undici transport that connects only to the address it checked. */
export interface NodeTransportOptions {
  /** Default: `dns.lookup(hostname, { all: true })`, the system resolver (hosts file included). */
  readonly resolve?: HostResolver;
  /** Replaces undici's connector below the address check (tests record attempts with it). */
  readonly connector?: ConnectorFactory;
  /** Agents kept for distinct client certificates. Default 64. */
  readonly maxAgents?: number;
}

type Undici = typeof import("undici");

// undici is an optional peer of @hooksec/core (Web-only users never install it): loaded
// on the first send, with an error that says what to install when it is missing.
function loadUndici(): Promise<Undici> {
  return import("undici").catch((cause: unknown) => {
    throw new Error(
      "The Node.js transport of @hooksec/core needs undici: `npm install undici` (or pass `transport: createFetchTransport()` from @hooksec/core/sender)",
      { cause },
    );
  });
}

const resolveWithSystem: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Resolves `hostname`, checks every address it has, and returns the one to connect
 * to. An IP literal is checked as it is. A host with any refused address is refused
 * whole: a name that also points inside the network is not a public endpoint.
 */
export async function pinAddress(hostname: string, guard: AddressGuard, resolve: HostResolver): Promise<string> {
  if (parseIpAddress(hostname) !== undefined) {
    guard.check(hostname);
    return hostname;
  }
  const addresses = await resolve(hostname);
  const first = addresses[0];
  if (first === undefined) throw new Error(`${hostname} has no addresses`);
  for (const address of addresses) guard.check(address);
  return first;
}

/**
 * The Node.js transport (the default there): undici with a connector that resolves
 * the host, checks every address, and connects to that exact address, with the
 * original name kept for TLS SNI and certificate validation, so DNS rebinding cannot
 * swap the address between the check and the connection. Presents `Endpoint.tls`
 * client certificates and pins its `ca`. Redirects are never followed.
 *
 * @example
 * import { createSender, standardWebhooks } from "@hooksec/core";
 * import { createNodeTransport } from "@hooksec/core/sender/node";
 * const sender = createSender({ scheme, transport: createNodeTransport({ resolve: myResolver }) });
 */
export function createNodeTransport(options: NodeTransportOptions = {}): TransportFactory {
  const resolve = options.resolve ?? resolveWithSystem;
  const maxAgents = options.maxAgents ?? 64;
  return (context): Transport => {
    let loading: Promise<Undici> | undefined;
    const agents = new Map<string, Agent>();

    function connectorFor(undici: Undici, tls: ClientTls | undefined): buildConnector.connector {
      const connect =
        options.connector?.(tls, context) ??
        undici.buildConnector({
          timeout: context.connectTimeoutMs,
          rejectUnauthorized: true,
          ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls?.key === undefined ? {} : { key: tls.key }),
          ...(tls?.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
          ...(tls?.ca === undefined ? {} : { ca: typeof tls.ca === "string" ? tls.ca : [...tls.ca] }),
        });
      return (connectOptions, callback) => {
        pinAddress(connectOptions.hostname, context.guard, resolve).then(
          // `host` keeps the original name: undici derives SNI and the certificate check from it.
          (address) => connect({ ...connectOptions, hostname: address }, callback),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
        );
      };
    }

    async function agentFor(tls: ClientTls | undefined): Promise<Agent> {
      loading ??= loadUndici();
      const undici = await loading;
      const key = tls === undefined ? "" : JSON.stringify([tls.cert, tls.key, tls.passphrase, tls.ca]);
      let agent = agents.get(key);
      if (agent === undefined) {
        if (agents.size >= maxAgents) {
          const [oldestKey, oldest] = agents.entries().next().value as [string, Agent];
          agents.delete(oldestKey);
          void oldest.close().catch(() => undefined);
        }
        agent = new undici.Agent({ connect: connectorFor(undici, tls) });
        agents.set(key, agent);
      }
      return agent;
    }

    return {
      name: "node",
      async send(request): Promise<TransportResponse> {
        const agent = await agentFor(request.tls);
        const headers: Record<string, string> = {};
        request.headers.forEach((value, name) => {
          headers[name] = value;
        });
        const response = await agent.request({
          origin: request.url.origin,
          path: `${request.url.pathname}${request.url.search}`,
          method: request.method,
          headers,
          body: request.body,
          signal: request.signal,
        });
        const collector = createLimitedCollector();
        try {
          for await (const chunk of response.body) {
            if (!collector.add(chunk as Uint8Array)) break;
          }
        } finally {
          if (!response.body.destroyed) response.body.destroy();
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
          else if (typeof value === "string") responseHeaders.set(name, value);
        }
        return { status: response.statusCode, headers: responseHeaders, body: collector.bytes() };
      },
      async close() {
        const closing = [...agents.values()].map((agent) => agent.close().catch(() => undefined));
        agents.clear();
        await Promise.all(closing);
      },
    };
  };
}

/** The default transport on Node.js (picked by the "node" condition of `#transport`). */
export function createDefaultTransport(): TransportFactory {
  return createNodeTransport();
}
