import { type ProviderInfo, type ProviderName, type WebhookScheme, providers } from "@hooksec/core";
import { UsageError } from "./usage-error.js";

/** The schemes `sign`, `verify` and `send` know by name: every preset of the core's provider registry. */
export const SCHEME_NAMES: readonly ProviderName[] = Object.freeze(Object.keys(providers) as ProviderName[]);
/**
 * A scheme name `--scheme` accepts: a preset of the core's provider registry (`standard-webhooks`, `stripe`, `github`...).
 */
export type SchemeName = ProviderName;

/** A key given as text: PEM and JWK JSON as such, anything else in the provider's own encoding (hex, base64). */
function keyInput(text: string): string | JsonWebKey {
  if (!text.trimStart().startsWith("{")) return text;
  try {
    return JSON.parse(text) as JsonWebKey;
  } catch {
    throw new UsageError("--secret starts with '{' but is not a JWK (JSON)");
  }
}

const isPrivateKey = (key: string | JsonWebKey) =>
  typeof key === "string" ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key) : key.d !== undefined;

/**
 * The options of a provider's factory, from what its registry entry says it needs: secrets,
 * tokens and credentials as `{ secret }`/`{ secrets }`; public keys as `{ publicKeys }`, a private
 * key (PEM or JWK) as `{ privateKey }`, which signs and verifies.
 */
function optionsFor(name: SchemeName, provider: ProviderInfo, secrets: readonly string[]): object {
  switch (provider.keys) {
    case "secret":
    case "token":
    case "credentials":
      return secrets.length === 1 && secrets[0] !== undefined ? { secret: secrets[0] } : { secrets };
    case "public-key": {
      const keys = secrets.map(keyInput);
      const privateKeys = keys.filter(isPrivateKey);
      const publicKeys = keys.filter((key) => !isPrivateKey(key));
      if (privateKeys.length > 1)
        throw new UsageError(`${name}: give one private key (it signs); the other keys must be public`);
      return {
        ...(privateKeys[0] === undefined ? {} : { privateKey: privateKeys[0] }),
        ...(publicKeys.length === 0 ? {} : { publicKeys }),
      };
    }
    case "key-fetcher":
      // Keys fetched from the provider at run time (by key id or certificate URL): nothing the shell can pass.
      throw new UsageError(
        `${name} verifies with keys fetched from ${provider.title} at run time; the CLI cannot sign or verify it offline: use @hooksec/core's ${name} preset with a key fetcher (${provider.docs})`,
      );
  }
}

/**
 * Builds a scheme from its registry name and secrets (newest first: the first signs, any
 * verifies). For `standard-webhooks`, `whsk_`/`whpk_` keys sign and verify Ed25519 (v1a) and
 * may be mixed with `whsec_` secrets; for public-key providers (Discord, SendGrid) a PEM or JWK
 * private key signs and the provider's public key verifies.
 *
 * @example
 * const scheme = schemeFor("github", [process.env.GITHUB_WEBHOOK_SECRET ?? ""]);
 * const headers = await scheme.sign({ id: "delivery-1", timestamp: new Date(), body: "{}" });
 */
export function schemeFor(name: SchemeName, secrets: readonly string[]): WebhookScheme {
  const provider = providers[name];
  // Each factory takes its own options type; `optionsFor` builds them from the entry's `keys`.
  const create = provider.create as (options: object) => WebhookScheme;
  return create(optionsFor(name, provider, secrets));
}

/** The registry entry of a scheme (what it signs, whether it has a time, where its id comes from). */
export const providerInfo = (name: SchemeName): ProviderInfo => providers[name];
