// The receive lifecycle under the deliveries real senders make: a retry that
// arrives while the first attempt still runs, and a handler that crashes.
// The receiver is a plain Koa app with webhook(); the sender is createSender.
import { type AttemptEvent, createSender, standardWebhooks } from "@hooksec/core";
import type { Check } from "../report.js";
import { startReceiverApp } from "../receiver-app.js";
import type { Cleanup } from "../support/cleanup.js";
import { deferred } from "../support/deferred.js";
import { describeReply, outcomeOf, post } from "../support/http.js";
import { newSecret } from "../support/secrets.js";

const CRASH = "database connection reset (simulated crash)";

export async function lifecycleScenarios(cleanup: Cleanup): Promise<Check[]> {
  const scheme = standardWebhooks({ secret: newSecret() });
  const slowReport = { started: deferred(), finish: deferred() };
  const runs = new Map<string, number>();
  const completed: string[] = [];
  const app = await startReceiverApp({
    receiver: { scheme },
    async handle(webhook) {
      const run = (runs.get(webhook.id) ?? 0) + 1;
      runs.set(webhook.id, run);
      const { type } = webhook.json<{ type: string }>();
      if (type === "report.generate") {
        slowReport.started.resolve();
        await slowReport.finish.promise; // a long job: held until the scenario lets it finish
      }
      if (type === "ledger.post" && run === 1) throw new Error(CRASH);
      completed.push(webhook.id);
    },
  });
  cleanup.add(() => app.close());
  const timesCompleted = (id: string) => completed.filter((done) => done === id).length;
  const once = (count: number) => (count === 1 ? "once" : `${count} times`);

  // 1. A sender that gave up waiting retries while the first attempt still runs.
  const id = "msg_report_1";
  const body = JSON.stringify({ type: "report.generate" });
  const headers = await scheme.sign({ id, timestamp: new Date(), body });
  const firstAttempt = post(app.url, headers, body);
  await slowReport.started.promise;
  const retry = await post(app.url, headers, body);
  const retryAfter = retry.headers["retry-after"];
  slowReport.finish.resolve();
  const first = await firstAttempt;
  const later = await post(app.url, headers, body);

  // 2. The handler crashes on its first run; createSender retries (a compressed backoff).
  const attempts: AttemptEvent[] = [];
  const sender = createSender({
    scheme,
    // Loopback over plain HTTP is opted into explicitly: by default the sender refuses both.
    ssrf: { allowHttp: true, allowCidrs: ["127.0.0.0/8"] },
    retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 400 },
    onAttempt: (attempt) => void attempts.push(attempt),
  });
  cleanup.add(() => sender.close());
  const sent = await sender.send({ url: app.url }, { type: "ledger.post", amount: 1200 });
  const [crashed, retried] = attempts;
  const statusOf = (attempt: AttemptEvent | undefined) =>
    attempt?.status === undefined ? "no answer" : `${attempt.status} ${outcomeOf(attempt.status)}`;

  return [
    {
      ok: retry.status === 409 && retry.code === "message_in_progress" && typeof retryAfter === "string",
      scenario: "a retry arrives while the first attempt runs",
      expected: "409 message_in_progress + Retry-After",
      got: `${describeReply(retry)}${typeof retryAfter === "string" ? ` + Retry-After: ${retryAfter}` : ""}`,
      why: "the first attempt holds the message's lease; the retry is told when to come back",
    },
    {
      ok: first.status === 204,
      scenario: "the first attempt finishes",
      expected: "204 accepted",
      got: describeReply(first),
      why: "handler done: the message is remembered as processed",
    },
    {
      ok: later.status === 200,
      scenario: "the sender retries once more",
      expected: "200 acknowledged",
      got: describeReply(later),
      why: "a duplicate: acknowledged so the sender stops, handler not run",
    },
    {
      ok: runs.get(id) === 1 && timesCompleted(id) === 1,
      scenario: "report.generate handled",
      expected: "once",
      got: once(runs.get(id) ?? 0),
    },
    {
      ok: crashed?.status === 500,
      scenario: "the handler crashes on the first attempt",
      expected: "500 failed",
      got: statusOf(crashed),
      why: `it threw "${CRASH}": not acknowledged, the message is released`,
    },
    {
      ok: retried?.status === 204 && sent.status === "delivered" && sent.attempts === 2,
      scenario: "createSender retries it, same message id",
      expected: "204 accepted",
      got: statusOf(retried),
      why: `retried ${crashed?.retryInMs ?? "?"} ms later; ${sent.status} after ${sent.attempts} attempt(s)`,
    },
    {
      ok: timesCompleted(sent.id) === 1 && app.crashes.length === 1,
      scenario: "ledger.post handled to success",
      expected: "once",
      got: `${once(timesCompleted(sent.id))} (${app.crashes.length} crash before)`,
    },
  ];
}
