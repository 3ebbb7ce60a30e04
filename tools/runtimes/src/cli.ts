// Entry for Deno and Bun. `battery` prints the battery's results as one JSON
// line; `serve <secret>` serves the receiver app on 127.0.0.1 (a free port),
// prints {"port":N} once listening, and runs until killed.
import { createApp } from "./app.ts";
import { runBattery } from "./battery.ts";

interface DenoLike {
  readonly args: string[];
  readonly version: { readonly deno: string };
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
}
interface BunLike {
  readonly argv: string[];
  readonly version: string;
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): { port: number };
  resolveSync(specifier: string, from: string): string;
}

const { Deno, Bun } = globalThis as unknown as { Deno?: DenoLike; Bun?: BunLike };

/** Where `@hooksec/core` and its `#crypto` import resolved, where the runtime can tell (Bun, unbundled). */
function resolution(): Record<string, string> | undefined {
  if (Bun === undefined) return undefined;
  try {
    const core = Bun.resolveSync("@hooksec/core", decodeURIComponent(new URL(".", import.meta.url).pathname));
    return { core, crypto: Bun.resolveSync("#crypto", core) };
  } catch {
    return undefined; // a bundle: nothing left to resolve
  }
}

const args = Deno?.args ?? Bun?.argv.slice(2) ?? [];
const runtime = Deno
  ? { name: "deno", version: Deno.version.deno }
  : Bun
    ? { name: "bun", version: Bun.version }
    : undefined;
if (runtime === undefined) throw new Error("run this with deno or bun");

const [mode, secret] = args;
if (mode === "battery") {
  const results = await runBattery();
  console.log(JSON.stringify({ runtime, resolution: resolution(), results }));
} else if (mode === "serve" && secret !== undefined) {
  const handler = createApp(secret);
  const announce = (port: number) => console.log(JSON.stringify({ runtime, port }));
  if (Deno) Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => announce(port) }, handler);
  else if (Bun) announce(Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler }).port);
} else {
  throw new Error("usage: cli.ts battery | serve <secret>");
}
