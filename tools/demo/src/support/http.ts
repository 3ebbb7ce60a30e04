// One POST over node:http(s), because the mTLS scenarios present client
// certificates (which `fetch` cannot), answered as status, headers and JSON.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** A client certificate, and the CA the server's certificate must chain to. */
export interface ClientTls {
  readonly ca?: string;
  readonly key?: string;
  readonly cert?: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `error.code` of a refusal, or "" */
  readonly code: string;
}

export function post(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  tls: ClientTls = {},
): Promise<Reply> {
  const secure = url.startsWith("https:");
  const request = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        agent: false,
        ...(secure ? tls : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            code: errorCode(Buffer.concat(chunks).toString("utf8")),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function errorCode(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    const code = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === "string" ? code : "";
  } catch {
    return "";
  }
}

/** What a status means to the sender: acknowledged (200, stop), accepted (2xx), failed (5xx but 503: retry), refused. */
export function outcomeOf(status: number): string {
  if (status === 200) return "acknowledged";
  if (status >= 200 && status < 300) return "accepted";
  if (status >= 500 && status !== 503) return "failed";
  return "refused";
}

/** "204 accepted", "401 invalid_signature": how a reply reads in the tables. */
export function describeReply(reply: Pick<Reply, "status" | "code">): string {
  return `${reply.status} ${reply.code === "" ? outcomeOf(reply.status) : reply.code}`;
}
