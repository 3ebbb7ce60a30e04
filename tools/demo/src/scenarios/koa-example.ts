// The Koa example (@hooksec/example-koa) as the signature and mTLS scenarios
// play against it: Node terminating TLS with client certificates from a CA made
// now with openssl, or, without openssl, plain HTTP with one secret.
import { type KeyPair, type RunningExample, createDevPki, hasOpenssl, start } from "@hooksec/example-koa";
import { type WebhookEvent, standardWebhooks } from "@hooksec/koa";
import type { Cleanup } from "../support/cleanup.js";
import { type Reply, post } from "../support/http.js";
import { newSecret } from "../support/secrets.js";

export const MAX_BODY_BYTES = 64 * 1024;

type Tenant = "acme" | "globex";

/** The client certificates the scenarios present (mTLS only). */
export interface Certificates {
  readonly ca: string;
  readonly acme: KeyPair;
  readonly globex: KeyPair;
  /** Issued by the trusted CA to a subject no tenant is configured for. */
  readonly stranger: KeyPair;
  /** acme's subject, issued by a CA the server does not trust. */
  readonly impostor: KeyPair;
}

interface SignedDelivery {
  readonly id: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

interface SignOptions {
  readonly timestamp?: Date;
  readonly secret?: string;
}

export interface Example {
  readonly server: RunningExample;
  /** Every onEvent of the receiver, in order. */
  readonly events: WebhookEvent[];
  /** Present when openssl made them: the server then asks for client certificates. */
  readonly certificates: Certificates | undefined;
  /** Signs as the tenant's sender would (a new message id each time). */
  sign(tenant: Tenant, payload: unknown, options?: SignOptions): Promise<SignedDelivery>;
  /** POSTs to /webhooks, with acme's client certificate unless another (or `null`: none) is given. */
  send(delivery: SignedDelivery, client?: KeyPair | null): Promise<Reply>;
}

export async function startExample(cleanup: Cleanup): Promise<Example> {
  const secrets: Record<Tenant, string> = { acme: newSecret(), globex: newSecret() };
  const events: WebhookEvent[] = [];
  const onEvent = (event: WebhookEvent) => void events.push(event);
  let certificates: Certificates | undefined;
  let server: RunningExample;

  if (hasOpenssl()) {
    const pki = createDevPki();
    cleanup.add(() => pki.cleanup());
    const ca = pki.createAuthority("hooksec demo CA");
    certificates = {
      ca: ca.cert,
      acme: ca.issueClient("acme", "/CN=acme-sender/O=Acme/OU=acme"),
      globex: ca.issueClient("globex", "/CN=globex-sender/O=Globex/OU=globex"),
      stranger: ca.issueClient("stranger", "/CN=stranger/O=Nobody"),
      impostor: pki.createAuthority("rogue CA").issueClient("impostor", "/CN=acme-sender/O=Acme/OU=acme"),
    };
    const tls = ca.issueServer("server");
    server = await start({
      tenantSecrets: secrets,
      tenants: [
        { tenant: "acme", subject: "/CN=acme-sender/O=Acme/OU=acme" },
        { tenant: "globex", subject: "/CN=globex-sender/O=Globex/OU=globex" },
      ],
      tls: { key: tls.key, cert: tls.cert, ca: ca.cert },
      maxBodyBytes: MAX_BODY_BYTES,
      onEvent,
    });
  } else {
    server = await start({ secret: secrets.acme, maxBodyBytes: MAX_BODY_BYTES, onEvent });
  }
  cleanup.add(() => server.close());

  let counter = 0;
  return {
    server,
    events,
    certificates,
    async sign(tenant, payload, options = {}) {
      const id = `msg_demo_${++counter}`;
      const body = JSON.stringify(payload);
      const scheme = standardWebhooks({ secret: options.secret ?? secrets[tenant] });
      const headers = await scheme.sign({ id, timestamp: options.timestamp ?? new Date(), body });
      return { id, headers, body };
    },
    send(delivery, client = certificates?.acme) {
      const tls = certificates === undefined ? {} : { ca: certificates.ca, key: client?.key, cert: client?.cert };
      return post(`${server.url}/webhooks`, delivery.headers, delivery.body, tls);
    },
  };
}
