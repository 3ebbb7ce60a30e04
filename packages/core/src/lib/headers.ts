/**
 * Headers as an adapter has them: a Web `Headers`, or a Node-style record
 * (`IncomingHttpHeaders`: lowercase names, repeated headers as arrays).
 */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Reads one header by lowercase name; repeated values are joined with ", " like `Headers.get`. */
export type HeaderReader = (lowercaseName: string) => string | undefined;

/** One reader for both shapes, so the schemes never care which one they got. */
export function headerReader(source: HeaderSource): HeaderReader {
  if (typeof (source as Headers).get === "function" && typeof (source as Headers).has === "function") {
    const headers = source as Headers;
    return (name) => headers.get(name) ?? undefined;
  }
  const record = source as Readonly<Record<string, string | readonly string[] | undefined>>;
  return (name) => {
    let value = record[name];
    if (value === undefined) value = findIgnoringCase(record, name);
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : value.join(", ");
  };
}

function findIgnoringCase(
  record: Readonly<Record<string, string | readonly string[] | undefined>>,
  lowercaseName: string,
): string | readonly string[] | undefined {
  for (const key in record) {
    if (key.length === lowercaseName.length && key.toLowerCase() === lowercaseName) return record[key];
  }
  return undefined;
}
