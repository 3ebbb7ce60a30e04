import { createConnection, createServer, type Socket } from "node:net";

export interface DroppingProxy {
  readonly port: number;
  /** The next reply from Redis is thrown away and the connection cut: the command ran, its answer is lost. */
  dropNextReply(): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of Redis that can lose a reply on demand. */
export function startDroppingProxy(targetPort: number): Promise<DroppingProxy> {
  let armed = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("data", (data) => upstream.write(data));
    upstream.on("data", (data) => {
      if (armed) {
        armed = false;
        cut();
        return;
      }
      client.write(data);
    });
    for (const socket of [client, upstream]) {
      socket.on("close", cut);
      socket.on("error", cut);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address !== null ? address.port : 0,
        dropNextReply: () => {
          armed = true;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
