// Loopback ports: a free one up front, and waiting until something listens.
import { createServer, Socket } from "node:net";
import { sleep } from "./wait.js";

/** A free port on 127.0.0.1 (for servers, such as nginx, that need a number up front). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Whether a TCP connection to 127.0.0.1:`port` is accepted. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}

export interface WaitOptions {
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Default 50 ms. */
  readonly intervalMs?: number;
  /** Gives up at once with this reason (for example: the server process exited). */
  readonly failed?: () => string | undefined;
}

/** Polls `ready` until it answers true; throws `<what> did not start: <reason>` on timeout or failure. */
export async function waitUntil(what: string, ready: () => Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const failure = options.failed?.();
    if (failure !== undefined) throw new Error(`${what} did not start: ${failure}`);
    try {
      if (await ready()) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not start: timed out`);
    await sleep(options.intervalMs ?? 50);
  }
}

/** Waits until every port accepts connections on 127.0.0.1. */
export async function waitUntilListening(
  what: string,
  ports: readonly number[],
  options: WaitOptions = {},
): Promise<void> {
  for (const port of ports) await waitUntil(what, () => canConnect(port), options);
}
