import { WebhookError } from "../errors/webhook-error.js";
import { joinParts } from "./concat.js";

/**
 * Reads a request body into bytes, refusing it as soon as it passes `maxBytes`
 * so an oversized body is never buffered whole.
 */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (request.bodyUsed) throw new WebhookError("body_already_consumed", "the request body was read before verification");
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    throw new WebhookError("body_too_large", `content-length ${declared} exceeds ${maxBytes} bytes`);
  }
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new WebhookError("body_too_large", `body exceeds ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return joinParts(chunks);
}
