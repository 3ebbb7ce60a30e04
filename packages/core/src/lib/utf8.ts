const encoder = new TextEncoder();
const lenientDecoder = new TextDecoder("utf-8");
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** Strings up to this length are tried as ASCII first; longer ones (bodies) go to the native encoder. */
const SHORT_TEXT = 64;

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return (text.length <= SHORT_TEXT && shortAscii(text)) || encoder.encode(text);
}

/**
 * The bytes of a short ASCII string (its UTF-8 is its code units), or `undefined`.
 * Signed content is made of short ASCII pieces (a timestamp, an id, "v0:") on every
 * request, and a call into the native TextEncoder costs several times this loop.
 */
function shortAscii(text: string): Uint8Array | undefined {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return undefined;
    out[i] = code;
  }
  return out;
}

/** Bytes as text, invalid sequences replaced (like `Response.text()`). */
export function decodeUtf8(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/** Bytes as text; `undefined` when they are not valid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A body given as a string is signed as its UTF-8 bytes; bytes are signed exactly as given. */
export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === "string" ? encoder.encode(body) : body;
}
