// `{ secret: process.env.X }` is how users write it: it compiles (this file is checked
// under strict), and an unset variable fails at construction, loudly, naming the fix.
import { describe, expect, it } from "vitest";
import type { WebhookError } from "../errors/webhook-error.js";
import { github } from "../schemes/providers/github.js";
import { shopify } from "../schemes/providers/shopify.js";
import { slack } from "../schemes/providers/slack.js";
import { stripe } from "../schemes/providers/stripe.js";
import { standardWebhooks } from "../schemes/standard-webhooks/standard-webhooks.js";
import { svix } from "../schemes/standard-webhooks/svix.js";

// Read through an index so no bundler or test runner can inline it: unset here, as in a
// deployment that forgot to set it.
const environment: Record<string, string | undefined> = {};
const unset = environment.HOOKSEC_TEST_UNSET_WEBHOOK_SECRET;

describe("a secret read from an unset environment variable", () => {
  const schemes = {
    standardWebhooks: () => standardWebhooks({ secret: unset }),
    svix: () => svix({ secret: unset }),
    stripe: () => stripe({ secret: unset }),
    github: () => github({ secret: unset }),
    slack: () => slack({ secret: unset }),
    shopify: () => shopify({ secret: unset }),
  };

  it.each(Object.entries(schemes))("%s: refused at construction with invalid_options and the fix", (_name, make) => {
    let caught: WebhookError | undefined;
    try {
      make();
    } catch (error) {
      caught = error as WebhookError;
    }
    expect(caught?.code).toBe("invalid_options");
    expect(caught?.message).toMatch(/pass `secret`.*environment, is the variable set/);
  });
});
