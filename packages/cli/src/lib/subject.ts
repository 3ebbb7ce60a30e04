import { isWebhookError } from "@hooksec/core";
import { canonicalDistinguishedName, parseDistinguishedName } from "@hooksec/core/identity";
import { UsageError } from "./usage-error.js";

/** One value in OpenSSL's `-subj` syntax: a backslash escapes the characters it splits on. */
function escapeSlashValue(value: string): string {
  return value.replace(/[\\/+=]/g, (character) => `\\${character}`);
}

/**
 * A subject given as OpenSSL's `/CN=x/O=y` or RFC 4514 `O=y,CN=x`, as the `-subj`
 * argument (certificate order) and as nginx's `$ssl_client_s_dn` (canonical RFC 4514).
 */
export function readSubject(text: string): { slash: string; rfc4514: string } {
  let name: ReturnType<typeof parseDistinguishedName>;
  try {
    name = parseDistinguishedName(text);
  } catch (error) {
    if (isWebhookError(error)) throw new UsageError(`--subject is not a distinguished name: '${text}'`);
    throw error;
  }
  if (name.length === 0) throw new UsageError("--subject is empty");
  const rdns = [...name].reverse().map((rdn) =>
    rdn
      .map((attribute) => {
        if (attribute.binary || attribute.value === "")
          throw new UsageError(`--subject: ${attribute.type} needs a text value`);
        return `${attribute.type}=${escapeSlashValue(attribute.value)}`;
      })
      .join("+"),
  );
  return { slash: `/${rdns.join("/")}`, rfc4514: canonicalDistinguishedName(text) };
}
