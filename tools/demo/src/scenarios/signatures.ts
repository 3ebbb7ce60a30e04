// Signatures, freshness, replay, the body limit and a failing handler, against
// the Koa example: they hold with and without mTLS.
import type { HttpScenario } from "./http-scenario.js";
import { newSecret } from "../support/secrets.js";
import { type Example, MAX_BODY_BYTES } from "./koa-example.js";

const MINUTE = 60_000;

export async function signatureScenarios(example: Example): Promise<HttpScenario[]> {
  const { sign, send } = example;
  const mtls = example.certificates !== undefined;
  const first = await sign("acme", { type: "invoice.paid", amount: 4200 });
  const flaky = await sign("acme", { type: "demo.fail_once" });
  const signedAt = (minutesFromNow: number) =>
    sign("acme", { type: "invoice.paid" }, { timestamp: new Date(Date.now() + minutesFromNow * MINUTE) });

  return [
    {
      name: "acme delivers invoice.paid",
      expect: { status: 204 },
      why: mtls
        ? "valid certificate → tenant acme, signed with acme's key, fresh, first time"
        : "signed with the key, fresh, first time",
      run: () => send(first),
    },
    {
      name: "replay of acme's delivery",
      expect: { status: 200 },
      why: "same signed id already processed: 200 so the sender stops, handler not run again",
      run: () => send(first),
    },
    {
      name: "tampered body (amount changed)",
      expect: { status: 401, code: "invalid_signature" },
      run: async () => {
        const sent = await sign("acme", { type: "invoice.paid", amount: 4200 });
        return send({ ...sent, body: sent.body.replace("4200", "9900") });
      },
    },
    {
      name: "stale timestamp (signed 10 minutes ago)",
      expect: { status: 401, code: "timestamp_too_old" },
      run: async () => send(await signedAt(-10)),
    },
    {
      name: "timestamp 10 minutes in the future",
      expect: { status: 401, code: "timestamp_in_future" },
      run: async () => send(await signedAt(10)),
    },
    {
      name: "signed with a wrong secret",
      expect: { status: 401, code: "invalid_signature" },
      run: async () => send(await sign("acme", { type: "invoice.paid" }, { secret: newSecret() })),
    },
    {
      name: `body over ${MAX_BODY_BYTES / 1024} KiB`,
      expect: { status: 413, code: "body_too_large" },
      run: async () => send(await sign("acme", { type: "bulk", data: "x".repeat(MAX_BODY_BYTES) })),
    },
    {
      name: "handler fails (simulated outage)",
      expect: { status: 500 },
      why: "the message is released so that the sender's retry is processed",
      run: () => send(flaky),
    },
    {
      name: "the sender retries it",
      expect: { status: 204 },
      why: "processed once, now that the handler works",
      run: () => send(flaky),
    },
  ];
}
