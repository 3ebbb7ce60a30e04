import { expect, it } from "vitest";
import { defineWithWebhookSuite } from "./with-webhook.suite.js";

it("runs in the edge runtime's VM (the EdgeRuntime global is set)", () => {
  expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe("string");
});

defineWithWebhookSuite("edge");
