// The sender's side: a real HTTP(S) request to the test app's /webhooks on
// loopback (@hooksec/testkit's client), with TLS 1.3 and optionally a client certificate.
import { type Reply as HttpReply, send as sendHttp } from "@hooksec/testkit";

export interface Reply {
  readonly status: number;
  readonly headers: HttpReply["headers"];
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

export async function send(options: SendOptions): Promise<Reply> {
  const { tls } = options;
  const reply = await sendHttp(`${tls ? "https" : "http"}://127.0.0.1:${options.port}/webhooks`, {
    headers: options.headers,
    body: options.body,
    ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: "TLSv1.3" as const } : {}),
  });
  return { status: reply.status, headers: reply.headers, text: reply.text, json: () => JSON.parse(reply.text) };
}
