// The sender's side: Node's https (or http) client with a client certificate, loopback only.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json(): Record<string, unknown>;
}

export interface SendOptions {
  readonly port: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** TLS to the server: the CA to trust and, optionally, our client certificate. */
  readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string };
}

export function send(options: SendOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = {
      host: "127.0.0.1",
      port: options.port,
      method: "POST",
      path: "/webhooks",
      headers: { "content-type": "application/json", ...options.headers },
      agent: false as const,
    };
    const request = options.tls
      ? httpsRequest({ ...common, ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.3" })
      : httpRequest(common);
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: () => JSON.parse(text) });
      });
    });
    request.on("error", reject);
    request.setTimeout(10_000, () => request.destroy(new Error("request timed out")));
    request.end(options.body);
  });
}
