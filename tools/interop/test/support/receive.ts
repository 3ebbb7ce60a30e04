// Our side of every interop test: the public verifier (signature, then the freshness window),
// fed the headers and raw bytes exactly as the provider sent them.
import { createVerifier, isWebhookError, type VerifiedWebhook, type WebhookScheme } from "@hooksec/core";

export interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
  readonly url?: string;
  readonly method?: string;
  /** The receiver's clock (ms); default: now. */
  readonly now?: number;
}

const RECEIVER_URL = "https://receiver.test/webhooks";
const encoder = new TextEncoder();

/** Verifies one delivery without a replay store, so a property can send the same message twice. */
export function receive(scheme: WebhookScheme, delivery: Delivery): Promise<VerifiedWebhook> {
  const now = delivery.now;
  const verifier = createVerifier({ scheme, replay: false, ...(now === undefined ? {} : { now: () => now }) });
  const body = typeof delivery.body === "string" ? encoder.encode(delivery.body) : delivery.body;
  return verifier.verifyParts({
    method: delivery.method ?? "POST",
    url: delivery.url ?? RECEIVER_URL,
    headers: delivery.headers,
    body,
  });
}

/** The `code` of the WebhookError a refusal throws (fails the test if it resolves or throws anything else). */
export async function refusalCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isWebhookError(error)) return error.code;
    throw error;
  }
  throw new Error("expected a refusal, the delivery was accepted");
}

/** The body with one byte changed (UTF-8 text stays text: an ASCII byte is flipped to another). */
export function tamper(body: string): string {
  if (body.length === 0) return " ";
  const at = Math.floor(body.length / 2);
  const code = body.charCodeAt(at);
  const replaced = code === 0x41 ? "B" : "A";
  return body.slice(0, at) + replaced + body.slice(at + 1);
}

export const seconds = (ms: number) => Math.floor(ms / 1000);
