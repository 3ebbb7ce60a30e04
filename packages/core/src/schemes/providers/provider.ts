import type { SignatureAlgorithm } from "../signature/algorithm.js";
import type { WebhookScheme } from "../types.js";

/** What a provider's scheme needs to verify: a shared secret, the sender's public key, a key fetcher, a token or credentials. */
export type ProviderKeys = "secret" | "public-key" | "key-fetcher" | "token" | "credentials";

/** What the registry says about a provider, for docs, the CLI and users choosing a preset. */
export interface ProviderInfo {
  /** The provider's own name, e.g. "GitHub". */
  readonly title: string;
  /**
   * The signature algorithm, or what stands in for one: "shared-token" (GitLab, Telegram) and
   * "basic-auth" (Postmark) authenticate the sender, not the body.
   */
  readonly algorithm: SignatureAlgorithm | "es256-jwt" | "shared-token" | "basic-auth";
  /** Whether a signed timestamp bounds the message's age; otherwise replay protection rests on the dedup store. */
  readonly timestamped: boolean;
  /** Where the message id comes from, and what deduplicates it when that id is not signed. */
  readonly messageId: string;
  /** The provider's page on verifying its webhooks. */
  readonly docs: string;
  readonly keys: ProviderKeys;
  /** The scheme signs the request URL: a sender passes `url`, a receiver must see the public URL. */
  readonly signsUrl?: boolean;
}

/** A registry entry: the metadata and the factory of the provider's scheme. */
export interface Provider<Options> extends ProviderInfo {
  /** Builds the provider's scheme from its options (the same function as the named preset, e.g. `stripe`). */
  readonly create: (options: Options) => WebhookScheme;
}

/** Pairs a preset's factory with its metadata. */
export function defineProvider<Options>(
  info: ProviderInfo,
  create: (options: Options) => WebhookScheme,
): Provider<Options> {
  return Object.freeze({ ...info, create });
}
