// A scripted set of deliveries through a real receiver (createReceiver with mTLS identity,
// a rate limit and the in-memory replay store): every outcome the receive lifecycle has.
import {
  type ReceiverOptions,
  type ReplayStore,
  type WebhookEvent,
  createReceiver,
  standardWebhooks,
} from "@hooksec/core";
import { createPki } from "@hooksec/testkit";

const DAY_MS = 86_400_000;
const SECRET = `whsec_${Buffer.from("a-test-secret-of-32-bytes-length").toString("base64")}`;
export const scheme = standardWebhooks({ secret: SECRET });
const NOW = Date.UTC(2030, 0, 15, 12);

/** Client certificates: acme's valid for 10 more days, globex's expired 3 days ago. */
function makeClients() {
  const pki = createPki("hooksec-otel-");
  const ca = pki.createAuthority("hooksec otel test CA");
  const acme = ca.issueClient("acme", "/CN=acme-sender/O=Acme/OU=acme", {
    notBefore: new Date(NOW - 30 * DAY_MS),
    notAfter: new Date(NOW + 10 * DAY_MS + 3_600_000),
  });
  const globex = ca.issueClient("globex", "/CN=globex-sender/O=Globex/OU=globex", {
    notBefore: new Date(NOW - 30 * DAY_MS),
    notAfter: new Date(NOW - 3 * DAY_MS + 3_600_000),
  });
  return { acme, globex, cleanup: () => pki.cleanup() };
}

export const ACME_SUBJECT = "OU=acme,O=Acme,CN=acme-sender";
export const GLOBEX_SUBJECT = "OU=globex,O=Globex,CN=globex-sender";

export interface Delivery {
  readonly id: string;
  readonly body?: string;
  /** Signed at this time (default NOW). */
  readonly at?: number;
  /** The body is changed after signing. */
  readonly tamper?: boolean;
  readonly der: Uint8Array;
  readonly ip?: string;
}

async function parts(delivery: Delivery) {
  const body = delivery.body ?? `{"type":"invoice.paid","id":"${delivery.id}"}`;
  const headers = await scheme.sign({ id: delivery.id, timestamp: new Date(delivery.at ?? NOW), body });
  const sent = delivery.tamper === true ? body.replace("paid", "void") : body;
  return {
    method: "POST",
    url: "https://receiver.test/webhooks",
    headers,
    body: new TextEncoder().encode(sent),
    connection: {
      remoteAddress: delivery.ip ?? "203.0.113.7",
      peerCertificate: delivery.der,
      peerCertificateVerified: true,
    },
  };
}

function receiverOptions(
  onEvent: (event: WebhookEvent) => void,
  extra: Partial<ReceiverOptions> = {},
): ReceiverOptions {
  return {
    scheme,
    now: () => NOW,
    identity: {
      tenants: [
        { tenant: "acme", subject: "/CN=acme-sender/O=Acme/OU=acme" },
        { tenant: "globex", subject: "/CN=globex-sender/O=Globex/OU=globex" },
      ],
    },
    // acme's 8th request of the minute is refused.
    rateLimit: { points: 7, durationSeconds: 60 },
    onEvent,
    ...extra,
  };
}

const ok = () => new Response(null, { status: 204 });

/**
 * verified + completed (msg_1), tampered, stale, duplicate (msg_1 again), in progress (msg_4
 * held while delivered again, then completed), handler failure (msg_5: handler_failed,
 * released), rate limited (acme's 8th request), expired certificate (globex), and a replay
 * store that is down (a second receiver): 503.
 */
export async function runScript(
  onEvent: (event: WebhookEvent) => void,
  wrap: <T>(name: string, run: () => Promise<T>) => Promise<T> = (_n, run) => run(),
) {
  const clients = makeClients();
  try {
    const { acme, globex } = clients;
    const receiver = createReceiver(receiverOptions(onEvent));
    const receive = (name: string, delivery: Delivery, handler: () => Response | Promise<Response> = ok) =>
      wrap(name, async () => receiver.receive(await parts(delivery), handler));
    const results: Record<string, unknown> = {};
    results.verified = await receive("verified", { id: "msg_1", der: acme.der });
    results.tampered = await receive("tampered", { id: "msg_2", der: acme.der, tamper: true });
    results.stale = await receive("stale", { id: "msg_3", der: acme.der, at: NOW - 10 * 60_000 });
    results.duplicate = await receive("duplicate", { id: "msg_1", der: acme.der });
    await wrap("in_progress", async () => {
      const held = await receiver.admit(await parts({ id: "msg_4", der: acme.der }));
      results.inProgress = await receiver.receive(await parts({ id: "msg_4", der: acme.der }), ok);
      if (held.admitted) await held.finish();
    });
    results.handlerFailure = await receive("handler_failure", { id: "msg_5", der: acme.der }, () => {
      throw new TypeError(`handler failed on ${SECRET}`);
    }).catch((error: unknown) => error);
    results.rateLimited = await receive("rate_limited", { id: "msg_6", der: acme.der });
    results.expired = await receive("expired", { id: "msg_7", der: globex.der });

    const down: ReplayStore = {
      claim: () => Promise.reject(new Error("ECONNREFUSED 127.0.0.1:6379")),
      renew: () => Promise.reject(new Error("down")),
      complete: () => Promise.reject(new Error("down")),
      release: () => Promise.reject(new Error("down")),
    } as unknown as ReplayStore;
    const storeDown = createReceiver(receiverOptions(onEvent, { replay: { store: down }, rateLimit: undefined }));
    results.storeDown = await wrap("store_down", async () =>
      storeDown.receive(await parts({ id: "msg_8", der: acme.der }), ok),
    );
    return results;
  } finally {
    clients.cleanup();
  }
}
