import { createConnection } from "node:net";

export interface Monitor {
  /**
   * Waits until every command sent before this call was seen, then returns the
   * commands sent by clients since the last call (lower-case name and arguments),
   * without those a Lua script ran and without the monitor's own marker.
   */
  take(): Promise<string[][]>;
  close(): void;
}

/** Watches a Redis with `MONITOR` on its own connection: what each client really sent, one line per round trip. */
export async function startMonitor(port: number): Promise<Monitor> {
  const socket = createConnection({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  let buffered = "";
  let seen: string[][] = [];
  let waiting: { marker: string; resolve: () => void } | undefined;
  socket.on("data", (data: Buffer) => {
    buffered += data.toString("latin1");
    let newline = buffered.indexOf("\r\n");
    while (newline !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 2);
      newline = buffered.indexOf("\r\n");
      // +1700000000.123456 [0 127.0.0.1:51234] "evalsha" "..." "1" "key"   (or [0 lua] for a script's own calls)
      const match = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
      if (match === null || match[1] === "lua") continue;
      const args = [...(match[2] as string).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((arg) => arg[1] as string);
      if (waiting !== undefined && args[0]?.toLowerCase() === "echo" && args[1] === waiting.marker) {
        waiting.resolve();
        continue;
      }
      seen.push([(args[0] ?? "").toLowerCase(), ...args.slice(1)]);
    }
  });
  socket.write("MONITOR\r\n");
  let markers = 0;
  return {
    async take() {
      const marker = `hooksec-monitor-${++markers}`;
      await new Promise<void>((resolve) => {
        waiting = { marker, resolve };
        // Sent on a connection of its own, after the commands to be counted were answered.
        const probe = createConnection({ host: "127.0.0.1", port }, () => probe.end(`ECHO ${marker}\r\n`));
        probe.on("error", () => {});
      });
      waiting = undefined;
      const taken = seen;
      seen = [];
      return taken;
    },
    close: () => socket.destroy(),
  };
}
