// A scenario that sends one request and expects one answer: the shape of the
// signature and mTLS tables.
import type { WebhookEvent } from "@hooksec/koa";
import type { Check } from "../report.js";
import { type Reply, describeReply } from "../support/http.js";

export interface HttpScenario {
  readonly name: string;
  readonly expect: { readonly status: number; readonly code?: string };
  /** Why the answer is right, when no refusal detail says it. */
  readonly why?: string;
  readonly run: () => Promise<Reply>;
}

/** Runs the scenarios in order; `events` is the receiver's onEvent log, whose refusal detail explains each refusal. */
export async function runHttpScenarios(
  scenarios: readonly HttpScenario[],
  events: readonly WebhookEvent[],
): Promise<Check[]> {
  const checks: Check[] = [];
  for (const scenario of scenarios) {
    const before = events.length;
    let reply: Pick<Reply, "status" | "code">;
    try {
      reply = await scenario.run();
    } catch (error) {
      reply = { status: 0, code: `request failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    const expected = { status: scenario.expect.status, code: scenario.expect.code ?? "" };
    const refusal = events.slice(before).find((event) => event.type === "rejected");
    checks.push({
      ok: reply.status === expected.status && reply.code === expected.code,
      scenario: scenario.name,
      expected: describeReply(expected),
      got: describeReply(reply),
      why: refusal?.detail ?? scenario.why,
    });
  }
  return checks;
}
