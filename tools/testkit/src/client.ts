// The sender's side of the end-to-end tests: one real HTTP(S) request on a
// fresh connection (optionally with a client certificate), and Standard
// Webhooks deliveries signed with node:crypto, independently of @hooksec/core.
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { SecureVersion } from "node:tls";

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The JSON body when the reply says it is JSON, else `{ text }`. */
  readonly body: { error?: { code?: string }; duplicate?: boolean } & Record<string, unknown>;
}

export interface SendOptions {
  /** Default POST. */
  readonly method?: string;
  /** Sent after `content-type: application/json`. */
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** TLS: the CA to trust and, for mTLS, the client key and certificate. */
  readonly ca?: string;
  readonly key?: string;
  readonly cert?: string;
  readonly minVersion?: SecureVersion;
  /** Default 10 s. */
  readonly timeoutMs?: number;
}

/** One real HTTP(S) request on a fresh connection (no agent, no keep-alive). */
export function send(url: string, options: SendOptions = {}): Promise<Reply> {
  const request = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? "POST",
        headers: { "content-type": "application/json", ...options.headers },
        agent: false,
        ca: options.ca,
        key: options.key,
        cert: options.cert,
        minVersion: options.minVersion,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const isJson = res.headers["content-type"]?.includes("json") === true;
          try {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              body: isJson ? JSON.parse(text) : { text },
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on("error", reject);
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error("request timed out")));
    req.end(options.body);
  });
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes, base64. */
export function randomSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** Standard Webhooks `v1` headers for a message: HMAC-SHA256 over `id.timestamp.body`, keyed with the secret's bytes. */
export function standardWebhooksHeaders(
  secret: string,
  message: { id: string; timestamp: Date; body: string | Uint8Array },
): Record<string, string> {
  const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
  const timestamp = String(Math.floor(message.timestamp.getTime() / 1000));
  const signature = createHmac("sha256", key)
    .update(`${message.id}.${timestamp}.`)
    .update(message.body)
    .digest("base64");
  return { "webhook-id": message.id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` };
}

let counter = 0;

/** A signed Standard Webhooks delivery of `payload` (JSON): its id, headers and body. */
export function signed(
  secret: string,
  payload: unknown,
  options: { id?: string; timestamp?: Date } = {},
): { id: string; headers: Record<string, string>; body: string } {
  const id = options.id ?? `msg_${Date.now().toString(36)}_${++counter}`;
  const body = JSON.stringify(payload);
  return {
    id,
    headers: standardWebhooksHeaders(secret, { id, timestamp: options.timestamp ?? new Date(), body }),
    body,
  };
}
