// `pnpm demo`: plays legitimate deliveries and attacks against real receivers
// on loopback, built from the hooksec packages by their published names, and
// prints what was accepted and refused, and why:
// - the Koa example (@hooksec/example-koa) with Node terminating mTLS: signatures,
//   freshness, replay, the body limit, client certificates → tenants;
// - the receive lifecycle: a retry while the first attempt runs, a handler crash;
// - a signed, then encrypted (JWE) payload through createSender;
// - durable delivery on BullMQ (@hooksec/delivery): a receiver down for a while,
//   a dead endpoint whose circuit opens.
// Without openssl the mTLS scenarios are skipped; without redis-server, the
// durable delivery ones. Exits non-zero when any outcome differs from what the
// scenario expects; everything started is stopped and deleted on the way out.
import { Report, bold, red } from "./report.js";
import { deliveryScenarios } from "./scenarios/delivery.js";
import { runHttpScenarios } from "./scenarios/http-scenario.js";
import { jweScenarios } from "./scenarios/jwe.js";
import { startExample } from "./scenarios/koa-example.js";
import { lifecycleScenarios } from "./scenarios/lifecycle.js";
import { mtlsScenarios } from "./scenarios/mtls.js";
import { signatureScenarios } from "./scenarios/signatures.js";
import { Cleanup } from "./support/cleanup.js";
import { findRedisServer, startRedisServer } from "./support/redis-server.js";

async function playKoaExample(report: Report, cleanup: Cleanup): Promise<void> {
  const example = await startExample(cleanup);
  const { certificates, events, server } = example;
  report.heading(
    `The Koa example on ${server.url} (${certificates === undefined ? "" : "Node terminating mTLS + "}Standard Webhooks signatures)`,
  );
  if (certificates === undefined)
    report.note("openssl was not found: the mTLS scenarios are skipped, the signatures are checked over plain HTTP.\n");
  report.table(await runHttpScenarios(await signatureScenarios(example), events));

  if (certificates !== undefined) {
    report.heading("mTLS: client certificates → tenants, each tenant with its own signing key");
    report.table(await runHttpScenarios(mtlsScenarios(example, certificates), events));
  }

  const processed = server.inbox.processed;
  const ids = processed.map((event) => event.id);
  const once = ids.length === new Set(ids).size;
  const expected = certificates === undefined ? 2 : 3;
  const list = processed
    .map((event) => `${event.type}${event.tenant === undefined ? "" : ` from ${event.tenant}`}`)
    .join(", ");
  console.log(
    `\nprocessed by the example's handler: ${processed.length} event(s) ${once ? "(each exactly once)" : red("(some more than once!)")}: ${list}`,
  );
  report.count(once && processed.length === expected);
}

async function playDelivery(report: Report, cleanup: Cleanup): Promise<void> {
  const binary = findRedisServer();
  if (binary === undefined) {
    report.heading("Durable delivery: @hooksec/delivery on BullMQ");
    report.note(
      "redis-server was not found: the durable delivery scenarios are skipped (scripts/install-servers.sh installs it).",
    );
    return;
  }
  const { port } = await startRedisServer(cleanup, binary);
  report.heading(
    `Durable delivery: @hooksec/delivery on BullMQ (a redis-server on 127.0.0.1:${port}), a receiver with @hooksec/redis`,
  );
  report.table(await deliveryScenarios(cleanup, port));
}

async function main(cleanup: Cleanup): Promise<boolean> {
  const report = new Report();
  console.log(bold("hooksec demo: deliveries and attacks against real receivers on loopback"));
  await playKoaExample(report, cleanup);

  report.heading("Receive lifecycle: a Koa app with webhook(), a sender with createSender");
  report.table(await lifecycleScenarios(cleanup));

  report.heading("JWE: a signed (ES256), then encrypted (ECDH-ES+A256KW, A256GCM) payload through createSender");
  report.table(await jweScenarios(cleanup));

  await playDelivery(report, cleanup);
  return report.verdict();
}

const cleanup = new Cleanup();
cleanup.runOnSignals();
let passed = false;
try {
  passed = await main(cleanup);
} catch (error) {
  console.error(red(`\nthe demo stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
} finally {
  await cleanup.run();
}
// Exit now: nothing is left to wait for, and a client's stray timer must not keep the demo alive.
process.exit(passed ? 0 : 1);
