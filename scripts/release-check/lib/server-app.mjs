// The shape every framework consumer shares: install, start `node server.mjs` on a
// free loopback port, send one valid and one tampered webhook, stop it.
import { createConsumer } from "./consumer.mjs";
import { startServer } from "./processes.mjs";
import { WEBHOOK_SECRET, expectValidAndTampered } from "./webhooks.mjs";

/** `server` is the app's source: it reads WEBHOOK_SECRET, listens on 127.0.0.1:0 and prints `listening on <port>`. */
export async function checkServerApp(ctx, name, { dependencies, server }) {
  const folder = await createConsumer(ctx, name, { dependencies, files: { "server.mjs": server } });
  const app = startServer(process.execPath, ["server.mjs"], {
    cwd: folder,
    env: { WEBHOOK_SECRET, NODE_ENV: "production" },
    ready: /listening on (\d+)/,
  });
  try {
    const [, port] = await app.started;
    await expectValidAndTampered(`http://127.0.0.1:${port}/webhooks`);
  } catch (error) {
    error.message += `\n--- ${name} server output ---\n${app.output().trimEnd()}`;
    throw error;
  } finally {
    app.stop();
  }
}
