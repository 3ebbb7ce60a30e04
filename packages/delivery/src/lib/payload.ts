import { WebhookError } from "@hooksec/core";

/** A payload as a job keeps it: bytes are sent exactly as given, so they travel as base64. */
export type StoredBody = { readonly text: string } | { readonly base64: string };

/**
 * Serialises a payload once, at dispatch: strings and bytes as given, anything else as
 * JSON (the core sender's rule). A payload that cannot be serialised is refused here,
 * before anything is enqueued.
 */
export function storeBody(payload: unknown): StoredBody {
  if (typeof payload === "string") return { text: payload };
  if (payload instanceof Uint8Array)
    return { base64: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("base64") };
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (cause) {
    throw new WebhookError("invalid_options", "the payload cannot be serialised as JSON", { cause });
  }
  if (json === undefined) throw new WebhookError("invalid_options", "the payload cannot be serialised as JSON");
  return { text: json };
}

export function loadBody(body: StoredBody): string | Uint8Array {
  return "text" in body ? body.text : new Uint8Array(Buffer.from(body.base64, "base64"));
}
