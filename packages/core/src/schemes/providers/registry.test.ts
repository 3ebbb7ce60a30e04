import { describe, expect, it } from "vitest";
import { testSecret } from "../../test-support/fixtures.js";
import { providers } from "./registry.js";

describe("providers registry", () => {
  it("lists every preset with its metadata, 28 and counting", () => {
    expect(Object.keys(providers).length).toBeGreaterThanOrEqual(28);
    for (const [name, provider] of Object.entries(providers)) {
      expect(provider.docs, name).toMatch(/^https:\/\//);
      expect(provider.title.length, name).toBeGreaterThan(0);
      expect(provider.messageId.length, name).toBeGreaterThan(0);
      expect(typeof provider.create, name).toBe("function");
    }
  });

  it("says for each secret-keyed preset what its scheme does: name and timestamped agree", () => {
    for (const [name, provider] of Object.entries(providers)) {
      if (provider.keys === "public-key" || provider.keys === "key-fetcher") continue;
      const secret =
        provider.keys === "credentials"
          ? `user:${testSecret()}`
          : name === "adyen"
            ? "00112233445566778899AABBCCDDEEFF"
            : testSecret();
      const scheme = (provider.create as (options: { secret: string }) => { name: string; timestamped: boolean })({
        secret,
      });
      expect(scheme.name, name).toBe(name);
      expect(scheme.timestamped, name).toBe(provider.timestamped);
    }
  });

  it("builds the presets whose keys are fetched from the fetcher alone (plaid, paypal)", () => {
    const plaid = providers.plaid.create({ keyFetcher: async () => undefined });
    const paypal = providers.paypal.create({ webhookId: "WEBHOOK1", fetchCertificate: async () => undefined });
    for (const [name, scheme] of [
      ["plaid", plaid],
      ["paypal", paypal],
    ] as const) {
      expect(providers[name].keys, name).toBe("key-fetcher");
      expect(scheme.name, name).toBe(name);
      expect(scheme.timestamped, name).toBe(providers[name].timestamped);
    }
  });
});
