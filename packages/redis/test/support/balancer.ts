// A round-robin HTTP load balancer on loopback, as nginx would run in front of
// several receiver instances: a backend that refuses the connection is skipped
// (the next one gets the request); one that dies mid-request answers 502, so the
// sender retries.
import { type IncomingMessage, type Server, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface Balancer {
  readonly url: string;
  /** The backends, `http://127.0.0.1:port` each: replace one after a restart. */
  readonly backends: string[];
  close(): Promise<void>;
}

export async function startBalancer(backends: string[]): Promise<Balancer> {
  let next = 0;
  const server: Server = createServer(async (req, res) => {
    const body = await readAll(req);
    for (let tried = 0; tried < backends.length; tried++) {
      const backend = backends[next++ % backends.length] as string;
      try {
        const answer = await forward(backend, req, body);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      } catch (error) {
        // Refused: that instance is down, try the next. Anything else: it died mid-request.
        if ((error as NodeJS.ErrnoException).code === "ECONNREFUSED") continue;
        break;
      }
    }
    res.writeHead(502, { "content-type": "application/json" });
    res.end('{"error":{"code":"bad_gateway"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backends,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function forward(
  backend: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      `${backend}${req.url ?? "/"}`,
      { method: req.method, headers: req.headers, agent: false },
      (response) => {
        readAll(response).then((received) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers))
            if (typeof value === "string") headers[name] = value;
          resolve({ status: response.statusCode ?? 502, headers, body: received });
        }, reject);
      },
    );
    upstream.on("error", reject);
    upstream.end(body);
  });
}
