import { WebhookError } from "../errors/webhook-error.js";
import { joinParts } from "./concat.js";

/**
 * Where the raw body comes from: a Web `Request`, bytes already read, a Web
 * stream, or any async iterable of bytes (a Node `IncomingMessage` is one).
 */
export type BodySource = Request | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

const EMPTY = new Uint8Array(0);
/** The async-iterable reader, once loaded (see `readBody`). */
let iterableReader: typeof import("./read-iterable.js") | undefined;

/**
 * Reads a body into bytes, exactly as sent, refusing it with `body_too_large` as
 * soon as it passes `maxBytes`: a declared `content-length` over the limit is
 * refused before reading, and the count is kept while reading, so a body whose
 * `content-length` lies (or that has none) is never buffered past the limit.
 * After a refusal the rest is left unread: the adapter closes the connection.
 */
export async function readBody(
  source: BodySource,
  maxBytes: number,
  declaredLength?: string | null,
): Promise<Uint8Array> {
  if (source instanceof Uint8Array) {
    if (source.byteLength > maxBytes) throw tooLarge(`body of ${source.byteLength} bytes exceeds ${maxBytes}`);
    return source;
  }
  if (isRequestLike(source)) {
    if (source.bodyUsed)
      throw consumed("the Request body was read before verification: pass the Request before reading it");
    checkDeclared(source.headers.get("content-length"), maxBytes);
    return source.body === null ? EMPTY : readStream(source.body, maxBytes);
  }
  checkDeclared(declaredLength, maxBytes);
  if (isWebStream(source)) {
    if (source.locked) throw consumed("the body stream is locked: another reader has it");
    return readStream(source, maxBytes);
  }
  // A Node stream (or any async iterable): read by code loaded on demand, which a
  // Web-only app (Request and stream bodies) never loads or bundles.
  iterableReader ??= await import("./read-iterable.js");
  return iterableReader.readIterable(source, maxBytes);
}

function checkDeclared(declared: string | null | undefined, maxBytes: number): void {
  if (declared !== null && declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    throw tooLarge(`content-length ${declared} exceeds ${maxBytes} bytes`);
  }
}

async function readStream(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
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
        throw tooLarge(`body exceeds ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    throw unreadable(cause);
  } finally {
    reader.releaseLock();
  }
  return joinParts(chunks);
}

/** A Web `Request`, by shape, not `instanceof`: a framework's or another realm's Request is one too. */
export function isRequestLike(source: unknown): source is Request {
  const candidate = source as Partial<Request> | null;
  if (typeof candidate !== "object" || candidate === null) return false;
  return (
    typeof candidate.bodyUsed === "boolean" &&
    typeof candidate.headers?.get === "function" &&
    typeof candidate.arrayBuffer === "function"
  );
}

function isWebStream(source: BodySource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === "function";
}

export function tooLarge(detail: string): WebhookError {
  return new WebhookError("body_too_large", detail);
}

export function consumed(detail: string): WebhookError {
  return new WebhookError("body_already_consumed", detail);
}

// A connection that breaks mid-body is a malformed request, not a server error.
export function unreadable(cause: unknown): WebhookError {
  if (cause instanceof WebhookError) return cause;
  return new WebhookError("malformed_body", "the request body could not be read", { cause });
}
