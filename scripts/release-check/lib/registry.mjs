// A throwaway npm registry (verdaccio) on a free loopback port: storage, config and
// users in a temp folder, no uplinks, so @hooksec/* can only come from what we publish.
import { createServer } from "node:net";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { startServer } from "./processes.mjs";

/** A port free on 127.0.0.1 right now (the OS picks it; the registry binds it just after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts verdaccio in `dir` and returns its URL and a token for a throwaway publisher. */
export async function startRegistry(dir, root) {
  mkdirSync(join(dir, "storage"), { recursive: true });
  writeFileSync(join(dir, "htpasswd"), "");
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    `storage: ${join(dir, "storage")}
auth:
  htpasswd:
    file: ${join(dir, "htpasswd")}
    max_users: 10
uplinks: {}
packages:
  "**":
    access: $all
    publish: $authenticated
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
`,
  );
  const port = await freePort();
  const bin = createRequire(join(root, "package.json")).resolve("verdaccio/bin/verdaccio");
  const server = startServer(process.execPath, [bin, "--config", config, "--listen", `127.0.0.1:${port}`], {
    cwd: dir,
    ready: /http address/i,
  });
  const url = `http://127.0.0.1:${port}/`;
  await Promise.race([server.started, waitForPing(url)]);
  await waitForPing(url);
  return { url, token: await addUser(url), stop: server.stop, output: server.output };
}

async function waitForPing(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`registry at ${url} did not answer /-/ping within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// What `npm adduser` does: PUT the user document, get a bearer token back.
async function addUser(url) {
  const name = "release-check";
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name,
      password: `pw-${Date.now()}-${Math.random()}`,
      type: "user",
      roles: [],
      date: new Date().toISOString(),
    }),
  });
  const result = await response.json();
  if (!response.ok || typeof result.token !== "string")
    throw new Error(`registry adduser: ${response.status} ${JSON.stringify(result)}`);
  return result.token;
}

/** The `.npmrc` line that sends one scope to the registry (the rest still comes from npmjs.org). */
export function scopeLine(url) {
  return `@hooksec:registry=${url}\n`;
}
