import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { standardWebhooks } from "@hooksec/core";

export interface Reply {
  readonly status: number;
  readonly body: { error?: { code?: string }; duplicate?: boolean } & Record<string, unknown>;
}

export interface SendOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** TLS: the CA to trust and, for mTLS, the client key and certificate. */
  readonly ca?: string;
  readonly key?: string;
  readonly cert?: string;
  readonly method?: string;
}

/** One real HTTP(S) request on a fresh connection. */
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
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const isJson = res.headers["content-type"]?.includes("json") === true;
          try {
            resolve({ status: res.statusCode ?? 0, body: isJson ? JSON.parse(text) : { text } });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

let counter = 0;

/** A signed Standard Webhooks delivery: headers and body. */
export async function signed(
  secret: string,
  payload: unknown,
  options: { id?: string; timestamp?: Date } = {},
): Promise<{ id: string; headers: Record<string, string>; body: string }> {
  const id = options.id ?? `msg_${Date.now().toString(36)}_${++counter}`;
  const body = JSON.stringify(payload);
  const headers = await standardWebhooks({ secret }).sign({ id, timestamp: options.timestamp ?? new Date(), body });
  return { id, headers, body };
}

export function randomSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`;
}
