// Reading a Node stream (or any async iterable of bytes) within the body limit, loaded
// on demand by `readBody`: only Node adapters hand it such sources.
import { joinParts } from "./concat.js";
import { consumed, tooLarge, unreadable } from "./read-body.js";

/** A Node stream's own iterator, told not to destroy the socket when we stop early (the 413 must still be sent). */
interface NodeReadableLike {
  readonly readableDidRead?: boolean;
  readonly readableEnded?: boolean;
  iterator?(options: { destroyOnReturn: boolean }): AsyncIterable<Uint8Array | string>;
}

/** `readBody` for a Node stream or another async iterable: the same limit, refusals and codes. */
export async function readIterable(source: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<Uint8Array> {
  const node = source as NodeReadableLike;
  if (node.readableDidRead === true || node.readableEnded === true) {
    throw consumed("the request stream was already read, by a body parser mounted before the webhook route");
  }
  const iterable = typeof node.iterator === "function" ? node.iterator({ destroyOnReturn: false }) : source;
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of iterable) {
      if (typeof chunk === "string")
        throw consumed("the request stream decodes text (setEncoding was called): webhooks need the raw bytes");
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge(`body exceeds ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (cause) {
    throw unreadable(cause);
  }
  return joinParts(chunks);
}
