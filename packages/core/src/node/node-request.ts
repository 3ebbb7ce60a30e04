import type { IncomingMessage, ServerResponse } from "node:http";
import { bodyConsumed } from "../receiver/create-receiver.js";
import type { ReceiveParts } from "../receiver/types.js";
import { connectionInfo } from "./connection-info.js";

/**
 * A Node.js request as the receive lifecycle's input: its raw stream (read once,
 * within the limit), headers and connection. `consumedFix`, when a body parser
 * already read the body, is the setup error's message: how to mount the route.
 *
 * @example
 * const outcome = await receiver.receive(nodeRequestParts(req, `http://${req.headers.host}${req.url}`), handler);
 */
export function nodeRequestParts(req: IncomingMessage, url: string, consumedFix?: string): ReceiveParts {
  return {
    method: req.method ?? "POST",
    url,
    headers: req.headers,
    body: consumedFix === undefined ? req : bodyConsumed(consumedFix),
    connection: connectionInfo(req),
  };
}

/** Long enough for the client to read the answer before the connection goes. */
const CLOSE_GRACE_MS = 500;

/**
 * After a refusal that left the body unread (413): once the response is sent,
 * stop the connection instead of reading (and discarding) whatever the client
 * keeps pushing. Nothing more is read (the unread request holds back the socket);
 * the write side is shut at once, so the client sees the answer and the end, and
 * the socket is destroyed after a short grace (at once would reset the connection
 * and could take the unread answer with it).
 *
 * @example
 * if (outcome.response.closeConnection) closeWhenSent(req, res);
 */
export function closeWhenSent(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  const close = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
  if (res.writableFinished) close();
  else res.once("finish", close);
}
