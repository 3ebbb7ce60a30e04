import type { IncomingMessage } from "node:http";
import { WebhookError } from "@hooksec/core";

const EMPTY = new Uint8Array(0);

/**
 * Reads the request body as the exact bytes that were sent, refusing it as soon
 * as it passes `maxBytes`: a declared `content-length` is checked before reading,
 * and the count is kept while streaming, so an oversized body is never buffered.
 */
export function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    discard(req);
    return Promise.reject(new WebhookError("body_too_large", `content-length ${declared} exceeds ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    function onData(chunk: Uint8Array): void {
      total += chunk.byteLength;
      if (total > maxBytes) {
        stop();
        discard(req);
        reject(new WebhookError("body_too_large", `body exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    }
    function onEnd(): void {
      stop();
      resolve(join(chunks, total));
    }
    function onError(cause: unknown): void {
      stop();
      reject(new WebhookError("malformed_body", "the request body could not be read", { cause }));
    }
    function onClose(): void {
      stop();
      reject(new WebhookError("malformed_body", "the connection closed before the body was complete"));
    }
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

// The rest of a refused body is read and dropped, never kept: the connection
// stays in a sane state for the 413 answer.
function discard(req: IncomingMessage): void {
  req.on("error", () => undefined);
  req.resume();
}

function join(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 0) return EMPTY;
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, total);
}
