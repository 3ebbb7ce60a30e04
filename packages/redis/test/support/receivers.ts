// Receiver processes of a multi-instance deployment (fixtures/receiver.ts), started
// as a test would start them behind a load balancer, and a plain sender of test deliveries.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { standardWebhooks } from "@hooksec/core";

const secret = `whsec_${Buffer.from("hooksec multi-instance secret 32").toString("base64")}`;
export const scheme = standardWebhooks({ secret });
const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const receiverScript = fileURLToPath(new URL("../fixtures/receiver.ts", import.meta.url));

export interface Receiver {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
}

export interface Answer {
  readonly status: number;
  readonly receiver: string;
  readonly outcome?: "processed" | "duplicate" | "in_progress" | "failed" | "refused";
  readonly error?: { code: string };
  readonly retryAfter?: string | null;
}

/** Test-only handler behaviour, sent as headers the fixture reads (not signed, not part of the message). */
export interface HandlerScript {
  readonly delayMs?: number;
  readonly fail?: boolean;
  /** The client's address, as a trusted proxy forwards it (`X-Forwarded-For`): its own rate-limit budget. */
  readonly clientIp?: string;
}

/** Every receiver process started, to kill them all after the tests. */
export const children: ChildProcess[] = [];

export async function startReceiver(
  name: string,
  client: string,
  redisPort: number,
  env: Record<string, string> = {},
): Promise<Receiver> {
  // Sources through tsx and the "hooksec-source" condition: no build needed (which makes a start
  // take many seconds on a loaded machine: hence the generous wait below).
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=hooksec-source", receiverScript], {
    cwd: packageDir,
    // A generous store timeout: on a loaded CI machine a slow reply must not look like an outage.
    env: {
      ...process.env,
      REDIS_PORT: String(redisPort),
      CLIENT: client,
      SECRET: secret,
      NAME: name,
      TIMEOUT_MS: "1500",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`receiver ${name} did not start:\n${output}`)), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((text) => text.startsWith("{"));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`receiver ${name} exited with ${code}:\n${output}`));
    });
  });
  return { name, url: `http://127.0.0.1:${port}`, child };
}

export async function deliver(
  receiver: Receiver,
  message: { id: string; timestamp: Date; body: string },
  script: HandlerScript = {},
): Promise<Answer> {
  // A fresh signature per attempt, as senders do on retries.
  const headers = await scheme.sign({ ...message, timestamp: new Date() });
  const test: Record<string, string> = {};
  if (script.delayMs !== undefined) test["x-test-delay-ms"] = String(script.delayMs);
  if (script.fail) test["x-test-fail"] = "1";
  if (script.clientIp !== undefined) test["x-forwarded-for"] = script.clientIp;
  const response = await fetch(`${receiver.url}/webhook`, {
    method: "POST",
    headers: { ...headers, ...test, "content-type": "application/json" },
    body: message.body,
  });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    ...((await response.json()) as Omit<Answer, "status">),
  };
}

export async function idsOf(receivers: readonly Receiver[], list: "processed" | "started"): Promise<string[]> {
  const lists = await Promise.all(
    receivers.map(
      async (receiver) =>
        ((await (await fetch(`${receiver.url}/${list}`)).json()) as Record<string, string[]>)[list] ?? [],
    ),
  );
  return lists.flat();
}

export const processedIds = (receivers: readonly Receiver[]) => idsOf(receivers, "processed");

export function count(ids: readonly string[], id: string): number {
  return ids.filter((each) => each === id).length;
}

export function message(id: string) {
  return { id, timestamp: new Date(), body: JSON.stringify({ type: "invoice.paid", id }) };
}
