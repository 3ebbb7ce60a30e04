import { decodeUtf8Strict } from "../../lib/utf8.js";

/** The body as a JSON object, if it is one (never throws). Only called on signed bodies, after the signature held. */
export function jsonObject(body: Uint8Array): Record<string, unknown> | undefined {
  const text = decodeUtf8Strict(body);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The string field `name` of a JSON object body (1-256 characters), if it has one. */
export function jsonStringField(body: Uint8Array, name: string): string | undefined {
  const field = jsonObject(body)?.[name];
  return typeof field === "string" && field.length > 0 && field.length <= 256 ? field : undefined;
}
